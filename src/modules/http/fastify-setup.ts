import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppConfig } from '@app/modules/config/app-config';
import { IMPORT_PATH } from '@app/modules/thresholds/http/transfer.controller';

/** The request announced a body that has not arrived whole (it was refused before it was read). */
function bodyUnread(request: FastifyRequest): boolean {
  const { headers, complete } = request.raw;
  const announced = headers['transfer-encoding'] !== undefined || Number(headers['content-length']) > 0;
  return announced && complete === false;
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

  // A route's own limit wins over the parser's (Fastify checks it per chunk and on Content-Length).
  instance.addHook('onRoute', (route) => {
    if (route.url === IMPORT_PATH) route.bodyLimit = importBodyLimitBytes;
  });
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: bodyLimitBytes },
    (request: FastifyRequest, body: string, done) => void parseJson(request, body, done),
  );

  instance.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  instance.addHook('onSend', (request, reply, payload, done) => {
    if (bodyUnread(request)) void reply.header('connection', 'close');
    done(null, payload);
  });
}
