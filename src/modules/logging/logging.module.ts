import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { AppConfig } from '@app/modules/config/app-config';

/** Probes and scrapes: logged only when they fail. */
const QUIET_PATHS = new Set(['/health', '/health/live', '/health/ready', '/health/detailed', '/metrics']);

/** Headers that carry credentials: never logged. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0];
}

/** pino options: one JSON line per event with level, time, msg, request_id, context. */
export function loggerOptions(config: AppConfig): LoggerOptions {
  return {
    level: config.log.level,
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(config.log.format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { messageKey: 'msg', singleLine: true } } }
      : {}),
  };
}

/**
 * JSON logs with nestjs-pino. The request id is Fastify's (validated `X-Request-Id` or a UUID,
 * see `request-context.ts`), which middie copies onto the raw request; every request line and
 * every line logged while handling it carries it as `request_id`.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, stream?: DestinationStream): DynamicModule {
    const http: PinoHttpOptions<IncomingMessage, ServerResponse> = {
      ...loggerOptions(config),
      // Fastify generated and validated the id; pino-http reuses `req.id`.
      genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
      customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
      quietReqLogger: true,
      customLogLevel: (req, res, error) => {
        // 503 is the expected answer while the database is down: a warning, not an error.
        if (res.statusCode === 503 && !error) return 'warn';
        if (error || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return QUIET_PATHS.has(pathOf(req)) ? 'warn' : 'info';
        return QUIET_PATHS.has(pathOf(req)) ? 'silent' : 'info';
      },
      customSuccessMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
      customErrorMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
      // pino-http invents an Error with a stack for every 5xx; the status says it all (real
      // errors are logged with their stack by the problem filter).
      customErrorObject: (_req, _res, _error, value: Record<string, unknown>) => ({ ...value, err: undefined }),
      serializers: {
        // Only what helps an operator: never headers that could carry credentials.
        req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({
          method: req.method,
          path: req.url.split('?')[0],
          user_agent: req.headers['user-agent'],
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    };
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: stream ? [http, stream] : http,
          forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
        }),
      ],
    };
  }
}
