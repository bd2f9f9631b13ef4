import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { EdgePipeline } from '@app/modules/http/edge/edge-pipeline';

/**
 * helmet's defaults, with a CSP the docs page works under (Swagger UI: inline styles, data:
 * images) and without `upgrade-insecure-requests`: the service speaks plain HTTP behind its TLS
 * terminator, and a browser told to upgrade a page opened over `http://` on a non-loopback
 * address asks for every asset over `https://`, where nothing answers (a blank page).
 */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'upgrade-insecure-requests': null,
    },
  },
};

/**
 * The headers helmet sets, computed once by running its middleware against a recording response:
 * the same set helmet would send, without re-building the Content-Security-Policy string (and a
 * dozen header writes through a middleware layer) on every request.
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: () => undefined,
  };
  let failure: unknown;
  helmet(options)({} as never, recorder as never, (error?: unknown) => (failure = error));
  if (failure) throw failure instanceof Error ? failure : new Error('helmet refused its options');
  return Object.freeze(headers);
}

/** The security headers of every answer, computed once. */
export const SECURITY_HEADERS = securityHeaders();

/**
 * Every answer that reaches routing (matched or 404) carries the security headers; the answers
 * made below routing add them too (`edge-answers.ts`).
 */
export function addSecurityHeaders(instance: FastifyInstance, headers = SECURITY_HEADERS): void {
  EdgePipeline.of(instance).onRequest('security-headers', (_request, reply) => void reply.headers(headers));
}
