import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppConfig } from '@app/modules/config/app-config';
import { IMPORT_PATH } from '@app/modules/thresholds/http/transfer.controller';

type ParserError = Error & { statusCode?: number; code?: string };

function payloadTooLarge(): ParserError {
  return Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
}

/**
 * Fastify's side of the HTTP edge, applied before the app starts:
 * - bodies are JSON only (`application/json`; anything else is `415`), parsed with Fastify's
 *   secure parser (prototype poisoning rejected);
 * - the body limit is `BODY_LIMIT_BYTES`, except the import endpoint (`IMPORT_BODY_LIMIT_BYTES`);
 * - every response, errors included, carries `X-Request-Id`.
 */
export function configureFastify(instance: FastifyInstance, config: AppConfig): void {
  const { bodyLimitBytes, importBodyLimitBytes } = config.http;
  const parseJson = instance.getDefaultJsonParser('error', 'error');

  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: Math.max(bodyLimitBytes, importBodyLimitBytes) },
    (request: FastifyRequest, body: Buffer, done) => {
      const limit = request.routeOptions.url === IMPORT_PATH ? importBodyLimitBytes : bodyLimitBytes;
      if (body.length > limit) {
        done(payloadTooLarge(), undefined);
        return;
      }
      void parseJson(request, body.toString('utf8'), done);
    },
  );

  instance.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
}
