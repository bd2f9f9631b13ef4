import {
  ConsoleLogger,
  type LoggerService,
  type LogLevel as NestLogLevel,
  type NestApplicationOptions,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '@app/app.module';
import type { AppConfig, LogLevel } from '@app/modules/config/app-config';
import { configureFastify } from '@app/modules/http/fastify-setup';
import { requestIdFor } from '@app/modules/http/request-context';

const NEST_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** One JSON line per log event, at the configured level. */
export function createLogger(config: AppConfig): LoggerService {
  return new ConsoleLogger({ json: true, colors: false, logLevels: NEST_LEVELS[config.log.level] });
}

/** The Fastify adapter: request ids from `X-Request-Id` (validated), the largest body limit. */
export function createAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: Math.max(config.http.bodyLimitBytes, config.http.importBodyLimitBytes),
    requestIdHeader: false,
    genReqId: requestIdFor,
    logger: false,
  });
}

/** Nest options shared by the service and the test harness: our own JSON parser, no abort on error. */
export function appOptions(config: AppConfig, logger?: LoggerService | false): NestApplicationOptions {
  return { bodyParser: false, logger: logger ?? createLogger(config), abortOnError: false };
}

/** Applies the HTTP edge configuration and initialises the app (not listening). */
export async function initApp(app: NestFastifyApplication, config: AppConfig): Promise<NestFastifyApplication> {
  configureFastify(app.getHttpAdapter().getInstance(), config);
  await app.init();
  return app;
}

/** Builds and initialises the application: used by `main.ts`. */
export async function createApp(
  config: AppConfig,
  options: { logger?: LoggerService | false } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createAdapter(config),
    appOptions(config, options.logger),
  );
  return initApp(app, config);
}
