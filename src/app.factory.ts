import { ConsoleLogger, type LoggerService, type LogLevel as NestLogLevel } from '@nestjs/common';
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

/** Builds and initialises the application (not listening): used by `main.ts` and by the tests. */
export async function createApp(
  config: AppConfig,
  options: { logger?: LoggerService | false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: Math.max(config.http.bodyLimitBytes, config.http.importBodyLimitBytes),
    requestIdHeader: false,
    genReqId: requestIdFor,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    logger: options.logger ?? createLogger(config),
    abortOnError: false,
  });
  configureFastify(app.getHttpAdapter().getInstance(), config);
  app.enableShutdownHooks();
  await app.init();
  return app;
}
