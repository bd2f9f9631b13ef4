import type { LoggerService, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from '@app/app.module';
import type { AppConfig } from '@app/modules/config/app-config';
import type { LoadedConfig } from '@app/modules/config/config.module';
import { configureFastify } from '@app/modules/http/fastify-setup';
import { buildProblem, codeForStatus, PROBLEM_CONTENT_TYPE } from '@app/modules/http/problem';
import { requestIdFor } from '@app/modules/http/request-context';
import { addSecurityHeaders } from '@app/modules/http/security-headers';
import { startupLogger } from '@app/modules/logging/logging.module';

function frameworkDetail(status: number): string {
  return status === 414 ? 'The URL, or one of its path parameters, is too long.' : 'The request URL is malformed.';
}

/** The Fastify adapter: request ids from `X-Request-Id` (validated), the body limit of most routes. */
export function createAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: requestIdFor,
    logger: false,
    // Errors Fastify answers before routing (a URL or parameter too long, a malformed URL) are
    // problem+json too, and never echo the URL.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
      const status = error.statusCode ?? 400;
      const problem = buildProblem(codeForStatus(status), frameworkDetail(status), {
        instance: (request.url ?? '').split('?')[0].slice(0, 256),
        requestId: String(request.id),
      });
      void reply
        .code(status)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .header('x-request-id', String(request.id))
        .send(JSON.stringify(problem));
    },
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
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
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: [...config.http.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'if-match', 'idempotency-key', 'x-request-id'],
      exposedHeaders: [
        'etag',
        'location',
        'x-request-id',
        'retry-after',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
        'x-data-stale',
      ],
      maxAge: 600,
    });
  }
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
