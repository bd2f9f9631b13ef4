import type { FastifyInstance } from 'fastify';
import { ANSWERED, EdgePipeline } from '@app/modules/http/edge/edge-pipeline';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'authorization, x-api-key, content-type, if-match, idempotency-key, x-request-id';
const EXPOSED_HEADERS = [
  'etag',
  'location',
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-data-stale',
  'warning',
  'idempotent-replayed',
  'content-disposition',
  'www-authenticate',
].join(', ');

/**
 * CORS for the origins of `CORS_ORIGINS` only, a step of the edge pipeline before access. An allowed origin's
 * preflight is answered `204` with the allowed methods and headers (cached 10 min); its requests
 * get `Access-Control-Allow-Origin` and the exposed headers. Any other origin, and a request
 * without one, gets no CORS header at all: a foreign preflight is answered like any other
 * unrouted request (a `404` problem). `Vary: Origin` on every answer, for caches.
 */
export function addCors(instance: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  EdgePipeline.of(instance).onRequest('cors', (request, reply) => {
    void reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !allowed.has(origin)) return undefined;
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      void reply
        .code(204)
        .headers({
          'access-control-allow-origin': origin,
          'access-control-allow-methods': ALLOWED_METHODS,
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': '600',
        })
        .send();
      return ANSWERED;
    }
    void reply.headers({ 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS });
    return undefined;
  });
}
