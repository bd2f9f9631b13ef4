import type { LoggerService, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from '@app/app.module';
import type { AppConfig } from '@app/modules/config/app-config';
import type { LoadedConfig } from '@app/modules/config/config.module';
import { configureFastify } from '@app/modules/http/fastify-setup';
import { addCors } from '@app/modules/http/cors';
import { clientErrorHandler, frameworkErrors } from '@app/modules/http/edge-answers';
import { requestIdFor } from '@app/modules/http/request-context';
import { addSecurityHeaders } from '@app/modules/http/security-headers';
import { startupLogger } from '@app/modules/logging/logging.module';

/** How often Node looks for requests over their timeout: the bound on how late a `408` comes. */
export function timeoutCheckInterval(requestTimeoutMs: number): number {
  return Math.min(1000, Math.ceil(requestTimeoutMs / 10));
}

/** The Fastify adapter: request ids from `X-Request-Id` (validated), the body limit of most routes. */
export function createAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: requestIdFor,
    logger: false,
    // Answers made below the application look like all others (problem+json, headers, request id).
    frameworkErrors,
    clientErrorHandler,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // Node checks request timeouts every 30 s by default, so a slow client kept its socket up to
    // twice the documented time. Headers and the whole request must both arrive within
    // HTTP_REQUEST_TIMEOUT_MS, checked often enough that the answer comes within a second of it.
    http: {
      headersTimeout: config.http.requestTimeoutMs,
      // A request without Host is refused by us, as problem+json (edge-answers.ts), not by Node.
      requireHostHeader: false,
      connectionsCheckingInterval: timeoutCheckInterval(config.http.requestTimeoutMs),
    },
    // X-Forwarded-For is believed only from the proxies TRUST_PROXY names.
    trustProxy: config.rateLimit.trustedProxies.length > 0 ? [...config.rateLimit.trustedProxies] : false,
  });
}

/**
 * Nest options shared by the service and the test harness: our own JSON parser, no abort on
 * error, and Nest's logger: the given one from the start (the service: pino, see `startupLogger`),
 * none (`false`), or, when not given, start-up lines buffered until the pino logger takes over.
 */
export function appOptions(logger?: LoggerService | false): NestApplicationOptions {
  return {
    bodyParser: false,
    abortOnError: false,
    bufferLogs: logger === undefined,
    ...(logger === undefined ? {} : { logger }),
  };
}

/**
 * Applies the HTTP edge configuration and initialises the app (not listening). With
 * `pinoLogs`, Nest's own log lines go through the same pino logger as the request logs.
 */
export async function initApp(
  app: NestFastifyApplication,
  config: AppConfig,
  options: { pinoLogs: boolean } = { pinoLogs: true },
): Promise<NestFastifyApplication> {
  if (options.pinoLogs) app.useLogger(app.get(Logger));
  configureFastify(app.getHttpAdapter().getInstance(), config);
  addSecurityHeaders(app.getHttpAdapter().getInstance());
  addCors(app.getHttpAdapter().getInstance(), config.http.corsOrigins);
  await app.init();
  return app;
}

/** Builds and initialises the application from the validated configuration: used by `main.ts`. */
export async function createApp(loaded: LoadedConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(loaded),
    createAdapter(loaded.config),
    appOptions(startupLogger(loaded.config)),
  );
  return initApp(app, loaded.config);
}
