import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LifecycleService } from '@app/modules/health/lifecycle.service';
import { createTestApp, send } from '@test/support/app';

describe('probes', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('liveness answers 200 without I/O', async () => {
    for (const path of ['/health', '/health/live']) {
      const res = await send(app, 'GET', path);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    }
  });

  it('readiness is 200 with thresholds loaded, 503 naming the check once shutdown begins', async () => {
    const ready = await send(app, 'GET', '/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      failing: [],
      checks: { thresholds: 'loaded', lifecycle: 'running', storage: 'ok' },
    });
    expect(ready.headers['x-data-stale']).toBeUndefined();
    expect(ready.headers.connection).not.toBe('close');
    app.get(LifecycleService).beginShutdown();
    const draining = await send(app, 'GET', '/health/ready');
    expect(draining.statusCode).toBe(503);
    expect(draining.json()).toMatchObject({ status: 'not_ready', failing: ['lifecycle'] });
    // Served during the drain, with Connection: close, so keep-alive clients reconnect elsewhere.
    const served = await send(app, 'GET', '/v1/risk/thresholds');
    expect(served.statusCode).toBe(200);
    expect(served.headers.connection).toBe('close');
    expect((await send(app, 'GET', '/health/live')).statusCode).toBe(200);
    const detailed = await send(app, 'GET', '/health/detailed');
    expect(detailed.statusCode).toBe(503);
    expect(detailed.json()).toMatchObject({ status: 'down', checks: { lifecycle: 'shutting_down' } });
  });

  it('detailed reports memory storage, no database or Redis, and the thresholds', async () => {
    const res = await send(app, 'GET', '/health/detailed');
    expect(res.json()).toMatchObject({
      storage: 'memory',
      checks: {
        database: 'not_configured',
        redis: 'not_configured',
        thresholds: { status: 'up', total: 9, active: 9 },
      },
      version: expect.any(String),
      uptime_s: expect.any(Number),
    });
  });
});
