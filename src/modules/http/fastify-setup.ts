import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { refuseConnect, refuseExpectation, refuseMissingHost } from '@app/modules/http/edge-answers';
import { BadRequestError } from '@app/modules/thresholds/domain/errors';
import type { AppConfig } from '@app/modules/config/app-config';
import { ANSWERED, EdgePipeline } from '@app/modules/http/edge/edge-pipeline';
import { budgetOf, EDGE_ROUTE, servedRoutes, type EdgeRouteConfig } from '@app/modules/http/edge/route-config';
import { policyFor } from '@app/modules/logging/request-log-policy';
import { IMPORT_PATH } from '@app/modules/thresholds/http/transfer.controller';

/** The request announced a body that has not arrived whole (it was refused before it was read). */
function bodyUnread(request: FastifyRequest): boolean {
  const { headers, complete } = request.raw;
  const announced = headers['transfer-encoding'] !== undefined || Number(headers['content-length']) > 0;
  return announced && complete === false;
}

/** How long a refused upload's connection stays open, unread, after its answer. */
const LINGER_MS = 1000;

/**
 * Node closes a `Connection: close` connection with `destroySoon()` once the answer is written.
 * Closing a socket with unread request bytes makes the kernel reset the connection, and a client
 * still sending its body (Node's http, fetch) then loses the answer it had not read yet. So the
 * close lingers: our side ends (the client reads the answer and FIN), nothing more is read (its
 * sends stall once the windows fill), and the socket is destroyed after `LINGER_MS`.
 */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket): void {
    this.pause();
    // Node's request object resumes its socket to discard the rest of the body: not this one.
    this.resume = (): Socket => this;
    this.end();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}

/**
 * Fastify's side of the HTTP edge, applied before the app starts:
 * - bodies are JSON only (`application/json`; anything else is `415`), parsed with Fastify's
 *   secure parser (prototype poisoning rejected);
 * - each route's body limit applies while the body streams in (a `Content-Length` above it is
 *   refused before a byte is read): `BODY_LIMIT_BYTES`, except the import endpoint
 *   (`IMPORT_BODY_LIMIT_BYTES`, admins only: the edge hook refuses anyone else first);
 * - an answer given before the request's body was read whole (a refusal: 401, 403, 413, 415,
 *   429…) closes the connection, so the rest of an upload is never read;
 * - every response, errors included, carries `X-Request-Id`.
 */
export function configureFastify(instance: FastifyInstance, config: AppConfig): void {
  const { bodyLimitBytes, importBodyLimitBytes } = config.http;
  const parseJson = instance.getDefaultJsonParser('error', 'error');

  instance.addHook('onRoute', (route) => {
    // A route's own limit wins over the parser's (Fastify checks it per chunk and on Content-Length).
    if (route.url === IMPORT_PATH) route.bodyLimit = importBodyLimitBytes;
    route.config = declaredRoute(route.config, route.method, route.url, config);
    for (const method of [route.method].flat()) servedRoutes(instance).add(`${method} ${route.url}`);
  });
  instance.decorateRequest(EDGE_ROUTE, null);
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: bodyLimitBytes },
    (request: FastifyRequest, body: string, done) => {
      // A client that sends `Content-Type: application/json` on every request may DELETE (no body).
      if (body === '' && request.method === 'DELETE') return done(null, undefined);
      // NUL, which JSON can carry only as \u0000: PostgreSQL's text and jsonb cannot hold it, so it is
      // refused here, whatever the route and the store (the memory store would keep it).
      if (!body.includes('\\u0000')) return void parseJson(request, body, done);
      void parseJson(request, body, (error: Error | null, value?: unknown) =>
        error || !holdsNul(value)
          ? done(error, value)
          : done(new BadRequestError('The request body holds a NUL character (\\u0000), which no field accepts.')),
      );
    },
  );

  EdgePipeline.of(instance)
    .onRequest('request-id', (request, reply) => {
      void reply.header('x-request-id', request.id);
      return refuseMissingHost(request, reply) ? ANSWERED : undefined;
    })
    .onSend('unread-body', (request, reply) => {
      if (!bodyUnread(request)) return;
      void reply.header('connection', 'close');
      lingerOnClose(request.raw.socket);
    });

  // `Expect: 100-continue`: Node answers `100 Continue` by itself unless someone listens, which
  // invites the body before the key, role, budget and length are checked. The request goes
  // through the edge hooks first; the `100` is sent only once they passed and the announced
  // length is within the route's limit (else the refusal is the only answer).
  instance.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    instance.server.emit('request', req, res);
  });
  instance.addHook('preParsing', (request, reply, payload, done) => {
    if (String(request.headers.expect).toLowerCase() === '100-continue') {
      const limit = request.routeOptions.bodyLimit ?? bodyLimitBytes;
      if (!(Number(request.headers['content-length']) > limit)) reply.raw.writeContinue();
    }
    done(null, payload);
  });
  instance.server.on('connect', refuseConnect);
  // An `Expect` other than 100-continue: Node would answer a bare 417 of its own.
  instance.server.on('checkExpectation', (req: IncomingMessage) => refuseExpectation(req.socket));
}

/**
 * A route's declaration completed as it is registered: its budget by the rule of `budgetOf` when
 * it declares none, and its request-log policy (always REQUEST_LOG_POLICY's, so operators decide). Every route, however
 * registered, passes here, so the edge pipeline reads one resolved declaration per request.
 */
export function declaredRoute(
  declared: EdgeRouteConfig | undefined,
  methods: string | string[],
  url: string,
  config: AppConfig,
): EdgeRouteConfig {
  const method = [methods].flat()[0];
  const budget = declared?.budget ?? budgetOf(method, url);
  return { ...declared, budget, log: policyFor(config.log.requestPolicies, method, url, budget) };
}

/** Whether a parsed JSON value holds NUL in any string or key. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, v]) => key.includes('\u0000') || holdsNul(v));
  }
  return false;
}
