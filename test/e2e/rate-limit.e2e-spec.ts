import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { as, createTestApp, expectProblem, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';

const LIMITS = { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_READS: '5', RATE_LIMIT_CLASSIFY: '3', RATE_LIMIT_WRITES: '2' };

describe('rate limiting', () => {
  let app: NestFastifyApplication;
  afterEach(async () => {
    await app.close();
  });

  it('hits the limit at the configured count with 429, Retry-After and RateLimit headers; budgets are separate', async () => {
    app = await createTestApp({ env: LIMITS });
    for (let i = 1; i <= 3; i++) {
      const ok = await send(app, 'POST', '/v1/risk/classify', { score: 5, category: 'other' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe(String(3 - i));
    }
    const limited = await send(app, 'POST', '/v1/risk/classify', { score: 5, category: 'other' });
    expect(expectProblem(limited, 429, 'RATE_LIMIT_EXCEEDED').detail).toContain('classify');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Other budgets are untouched; probes are never limited.
    expect((await send(app, 'GET', '/v1/risk/categories')).statusCode).toBe(200);
    expect((await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody())).statusCode).toBe(201);
    for (let i = 0; i < 20; i++) expect((await send(app, 'GET', '/health/ready')).statusCode).toBe(200);
    const metrics = (await send(app, 'GET', '/metrics')).body;
    expect(metrics).toMatch(/^rate_limit_rejections_total 1$/m);
  });

  // Requests without a valid key are counted per client IP before authentication answers 401,
  // so guessing keys is limited too.
  const anonymousWrite = (ip: string): Promise<number> =>
    send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody(), { authorization: '', 'x-forwarded-for': ip }).then(
      (r) => r.statusCode,
    );

  it('ignores X-Forwarded-For when no proxy is trusted, so spoofing it does not reset the budget', async () => {
    app = await createTestApp({ env: LIMITS });
    const statuses = [
      await anonymousWrite('1.1.1.1'),
      await anonymousWrite('2.2.2.2'),
      await anonymousWrite('3.3.3.3'),
    ];
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('honours X-Forwarded-For from a trusted proxy: each client IP has its own budget', async () => {
    app = await createTestApp({ env: { ...LIMITS, TRUST_PROXY: '127.0.0.1' } });
    const statuses = [
      await anonymousWrite('1.1.1.1'),
      await anonymousWrite('1.1.1.1'),
      await anonymousWrite('1.1.1.1'),
    ];
    expect(statuses).toEqual([401, 401, 429]);
    expect(await anonymousWrite('2.2.2.2')).toBe(401);
  });

  it('counts each key on its own budget', async () => {
    app = await createTestApp({ env: LIMITS });
    const write = (role: 'editor' | 'admin'): Promise<number> =>
      send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody(), as(role)).then((r) => r.statusCode);
    expect([await write('editor'), await write('editor'), await write('editor')]).toEqual([201, 201, 429]);
    expect([await write('admin'), await write('admin')]).toEqual([201, 201]);
  });
});
