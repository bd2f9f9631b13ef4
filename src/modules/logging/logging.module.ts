import { distinctServerRequestId } from '@app/modules/http/request-context';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type LoggerService,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger as PinoInstance, type LoggerOptions } from 'pino';
import { AppConfig } from '@app/modules/config/app-config';
import { EdgePipeline } from '@app/modules/http/edge/edge-pipeline';
import { servedRoutes, type EdgeRouteConfig, type RequestLogPolicy } from '@app/modules/http/edge/route-config';
import { keepsLine, unknownRouteKeys } from '@app/modules/logging/request-log-policy';

/** Probes and scrapes: logged only when they fail. */
const QUIET_PATHS = new Set(['/health', '/health/live', '/health/ready', '/health/detailed', '/metrics']);

/** Headers that carry credentials: never logged (request lines carry no headers at all; belt and braces). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** The service's one pino logger (and the stream it writes to): request lines and Nest's own lines go through it. */
export const PINO_LOGGER = Symbol('PINO_LOGGER');

interface LogSink {
  logger: PinoInstance;
  /** Where JSON lines go; undefined when pino formats them itself (pretty). */
  destination?: DestinationStream;
}

let lastMs = 0;
let lastIso = '';
/** `new Date().toISOString()`, computed once per millisecond. */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** pino options: one JSON line per event with level, time, msg, request_id, context. */
export function loggerOptions(config: AppConfig): LoggerOptions {
  return {
    level: config.log.level,
    messageKey: 'msg',
    timestamp: () => `,"time":"${isoNow()}"`,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(config.log.format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { messageKey: 'msg', singleLine: true } } }
      : {}),
  };
}

/** Longest time an info line waits in the stdout buffer, whatever the traffic. */
export const LOG_FLUSH_INTERVAL_MS = 1000;
/** Lines written at once: warnings and worse (every line starts with its level). */
const URGENT = /^\{"level":"(warn|error|fatal)"/;

/**
 * stdout through a buffered asynchronous writer: under load, lines go out in batches of at least
 * 4 KiB rather than one `write(2)` each; a warning or an error is written at once (with what is
 * buffered before it), and anything else within `LOG_FLUSH_INTERVAL_MS` on an idle instance. pino
 * flushes the buffer synchronously when the process exits.
 */
export function bufferedStdout(fd = 1): DestinationStream {
  const sonic = pino.destination({ dest: fd, sync: false, minLength: 4096 });
  let pending = false;
  setInterval(() => {
    if (!pending) return;
    pending = false;
    sonic.flush();
  }, LOG_FLUSH_INTERVAL_MS).unref();
  return {
    write(line: string): void {
      sonic.write(line);
      if (URGENT.test(line)) {
        pending = false;
        sonic.flush();
      } else {
        pending = true;
      }
    },
  };
}

const stdoutSinks = new WeakMap<AppConfig, LogSink>();

/** Where lines go: `stream` (tests), or buffered stdout (one sink per configuration). */
function createSink(config: AppConfig, stream?: DestinationStream): LogSink {
  const options = loggerOptions(config);
  if (stream) return { logger: pino(options, stream), destination: stream };
  let sink = stdoutSinks.get(config);
  if (!sink) {
    if (config.log.format === 'pretty') {
      sink = { logger: pino(options) };
    } else {
      const destination = bufferedStdout();
      sink = { logger: pino(options, destination), destination };
    }
    stdoutSinks.set(config, sink);
  }
  return sink;
}

/**
 * Nest's logger on the service's pino logger (nestjs-pino's `Logger`), for the application's
 * creation: lines written while modules start (the embedded server's initdb, migrations) appear
 * as they happen instead of being buffered until the app exists.
 */
export function startupLogger(config: AppConfig): LoggerService {
  const params = { pinoHttp: { logger: createSink(config).logger }, forRoutes: [] };
  const logger = new Logger(new PinoLogger(params), params);
  // Nest's ExceptionHandler logs a failed start with its stack before rethrowing it; main.ts
  // reports it once, as one line with what to do (`startup-failure.ts`).
  const error = logger.error.bind(logger);
  logger.error = (message: unknown, ...rest: unknown[]): void => {
    if (rest[rest.length - 1] === 'ExceptionHandler') return;
    error(message, ...rest);
  };
  return logger;
}

type Level = 'error' | 'warn' | 'info' | 'silent';

/** The level of a request line: failures by status, successful probes and scrapes not at all. */
export function requestLogLevel(path: string, status: number): Level {
  // 503 is the expected answer while the database is down: a warning, not an error.
  if (status === 503) return 'warn';
  if (status >= 500) return 'error';
  if (status >= 400) return QUIET_PATHS.has(path) ? 'warn' : 'info';
  return QUIET_PATHS.has(path) ? 'silent' : 'info';
}

/**
 * One line per answered request that the route's policy keeps (REQUEST_LOG_POLICY: every answer,
 * errors and slow ones, or those plus one in N), the edge pipeline's last step: method, path (never the query
 * string or a header), status, duration and the request id (Fastify's: a validated `X-Request-Id`
 * or a UUID, see `request-context.ts`). A hook rather than pino-http's middleware: no middleware
 * layer and no per-request child logger, which on a cheap request cost more than the request.
 */
@Injectable()
export class RequestLogger implements OnModuleInit, OnApplicationBootstrap {
  /** pino's base bindings, as pino writes them. */
  private readonly base = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;

  private readonly slowMs: number;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PINO_LOGGER) private readonly sink: LogSink,
    config: AppConfig,
  ) {
    this.slowMs = config.log.slowMs;
    this.policies = config.log.requestPolicies;
  }

  private readonly policies: ReadonlyMap<string, RequestLogPolicy>;

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    EdgePipeline.of(instance).onResponse('request-log', (request, reply, route) => this.log(request, reply, route));
  }

  /** Once every route is registered: a REQUEST_LOG_POLICY route key that names none is a typo to report. */
  onApplicationBootstrap(): void {
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const unknown = unknownRouteKeys(this.policies, servedRoutes(instance));
    if (unknown.length === 0) return;
    this.sink.logger.warn(
      { context: 'RequestLog' },
      `REQUEST_LOG_POLICY names no served route: ${unknown.join(', ')} (a route is 'METHOD /template', as in the metrics' route label)`,
    );
  }

  private log(request: FastifyRequest, reply: FastifyReply, route: EdgeRouteConfig | undefined): void {
    const status = reply.statusCode;
    if (route?.log !== undefined && !keepsLine(route, status, reply.elapsedTime, this.slowMs)) return;
    const url = request.url;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const level = requestLogLevel(path, status);
    const { logger, destination } = this.sink;
    if (level === 'silent' || !logger.isLevelEnabled(level)) return;
    const userAgent = request.headers['user-agent'];
    const duration = Math.round(reply.elapsedTime * 100) / 100;
    const msg = `${request.method} ${path} ${status}`;
    // A write under the caller's own X-Request-Id: the unique id its audit rows carry too.
    const serverId = distinctServerRequestId(request);
    if (!destination) {
      logger[level](
        {
          request_id: String(request.id),
          ...(serverId === undefined ? {} : { server_request_id: serverId }),
          req: { method: request.method, path, user_agent: userAgent },
          res: { status },
          duration_ms: duration,
        },
        msg,
      );
      return;
    }
    // The line pino would write for that call, built directly: this runs on every request, and
    // pino's generic serialisation (and redaction, with nothing to redact) cost several times more.
    destination.write(
      `{"level":"${level}","time":"${isoNow()}"${this.base},"request_id":${JSON.stringify(String(request.id))},` +
        `${serverId === undefined ? '' : `"server_request_id":"${serverId}",`}` +
        `"req":{"method":${JSON.stringify(request.method)},"path":${JSON.stringify(path)}` +
        `${userAgent === undefined ? '' : `,"user_agent":${JSON.stringify(userAgent)}`}},` +
        `"res":{"status":${status}},"duration_ms":${duration},"msg":${JSON.stringify(msg)}}\n`,
    );
  }
}

/**
 * JSON logs: nestjs-pino's `Logger` carries Nest's own lines (start-up, database, errors) into the
 * pino logger; `RequestLogger` writes the request lines. nestjs-pino's request middleware is not
 * used (`forRoutes: []`).
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, stream?: DestinationStream): DynamicModule {
    const sink = createSink(config, stream);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: sink.logger }, forRoutes: [] })],
      providers: [{ provide: PINO_LOGGER, useValue: sink }, RequestLogger],
      exports: [PINO_LOGGER],
    };
  }
}
