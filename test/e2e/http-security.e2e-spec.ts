import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { securityHeaders } from '@app/modules/http/security-headers';
import { createTestApp, send } from '@test/support/app';

describe('HTTP edge: security headers and CORS', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({ env: { CORS_ORIGINS: 'https://admin.example.com' } });
  });
  afterAll(async () => {
    await app.close();
  });

  it('sends security headers on every response, errors included', async () => {
    for (const [method, url] of [
      ['GET', '/v1/risk/categories'],
      ['GET', '/nowhere'],
      ['GET', '/health/live'],
      ['GET', '/docs'],
    ] as const) {
      const res = await send(app, method, url);
      expect({ url, nosniff: res.headers['x-content-type-options'] }).toEqual({ url, nosniff: 'nosniff' });
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      // Plain HTTP behind a TLS terminator: an upgrade would blank /docs opened over http:// off loopback.
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toContain('max-age=');
      // Exactly helmet's set, computed once at start.
      for (const [name, value] of Object.entries(securityHeaders()))
        expect({ url, name, value: res.headers[name] }).toEqual({ url, name, value });
    }
    expect(Object.keys(securityHeaders()).length).toBeGreaterThanOrEqual(12);
  });

  it('answers the preflight of an allowed origin with 204 and the CORS headers', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/risk/classify',
      headers: {
        origin: 'https://admin.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://admin.example.com');
    expect(String(res.headers['access-control-allow-headers'])).toContain('authorization');
    const actual = await send(app, 'GET', '/v1/risk/categories', undefined, {
      ...{},
      origin: 'https://admin.example.com',
    });
    expect(actual.headers['access-control-allow-origin']).toBe('https://admin.example.com');
    // Every header a browser client reads, the console included.
    for (const header of ['x-request-id', 'etag', 'location', 'retry-after', 'idempotent-replayed', 'warning'])
      expect(String(actual.headers['access-control-expose-headers']).split(', ')).toContain(header);
  });

  it('gives a disallowed origin no CORS headers', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/risk/classify',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    // Issue #14, finding 6: a foreign preflight got 204 with the allowed methods, headers and
    // max-age, and every answer carried Access-Control-Expose-Headers.
    const corsHeaders = (headers: Record<string, unknown>): string[] =>
      Object.keys(headers).filter((h) => h.startsWith('access-control-'));
    expect(preflight.statusCode).toBe(404);
    expect(preflight.headers['content-type']).toContain('application/problem+json');
    expect(corsHeaders(preflight.headers)).toEqual([]);
    const actual = await send(app, 'GET', '/v1/risk/categories', undefined, { origin: 'https://evil.example.net' });
    expect(corsHeaders(actual.headers)).toEqual([]);
    const noOrigin = await send(app, 'GET', '/v1/risk/categories');
    expect(corsHeaders(noOrigin.headers)).toEqual([]);
    expect(noOrigin.headers.vary).toContain('Origin');
  });
});
