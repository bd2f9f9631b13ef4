import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getStorageToken } from '@nestjs/throttler';
import type { ResilientThrottlerStorage } from '@app/modules/rate-limit/resilient-throttler.storage';
import { createTestApp, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';
import { startTestRedis, type TestRedis } from '@test/support/redis';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await sleep(20);
  }
  return Date.now() - started;
}

describe('rate-limit counters in Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
    process.stdout.write(`\nRedis tests use ${redis.description}\n`);
  });
  afterAll(async () => {
    await redis.stop();
  });

  const start = (env: Record<string, string>): Promise<NestFastifyApplication> =>
    createTestApp({ env: { RATE_LIMIT_ENABLED: 'true', REDIS_URL: redis.url, ...env } });
  const storageOf = (app: NestFastifyApplication): ResilientThrottlerStorage => app.get(getStorageToken());

  it('two instances sharing Redis share the budget', async () => {
    const [a, b] = await Promise.all([start({ RATE_LIMIT_WRITES: '4' }), start({ RATE_LIMIT_WRITES: '4' })]);
    try {
      await until(() => storageOf(a).shared && storageOf(b).shared, 3000);
      const statuses = [];
      for (const app of [a, b, a, b, a, b])
        statuses.push((await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody())).statusCode);
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('with Redis stopped mid-load, requests still succeed (zero 5xx), and counting returns to Redis after', async () => {
    const app = await start({
      RATE_LIMIT_READS: '1000000',
      RATE_LIMIT_CLASSIFY: '1000000',
      RATE_LIMIT_WRITES: '1000000',
    });
    try {
      const storage = storageOf(app);
      await until(() => storage.shared, 3000);
      const counts = { ok: 0, fiveHundreds: 0, other: 0 };
      let running = true;
      const worker = async (i: number): Promise<void> => {
        for (let n = 0; running; n++) {
          const res =
            (i + n) % 5 === 0
              ? await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody())
              : await send(app, 'POST', '/v1/risk/classify', { score: n % 101, category: 'financial' });
          if (res.statusCode >= 500) counts.fiveHundreds++;
          else if (res.statusCode === 200 || res.statusCode === 201) counts.ok++;
          else counts.other++;
        }
      };
      const load = Promise.all(Array.from({ length: 6 }, (_, i) => worker(i)));
      await sleep(700);
      // Issue #13, finding 3: /health/detailed said "not_configured" while Redis held the counters.
      const health = async (): Promise<unknown> => (await send(app, 'GET', '/health/detailed')).json().checks.redis;
      /** The Redis check once it reports `status` (its answer is reused for a second). */
      const healthOnce = async (status: 'up' | 'down'): Promise<unknown> => {
        const deadline = Date.now() + 5000;
        let seen = await health();
        while ((seen as { status?: string }).status !== status && Date.now() < deadline) {
          await sleep(50);
          seen = await health();
        }
        return seen;
      };
      expect(await health()).toEqual({ status: 'up', latency_ms: expect.any(Number), used_for: 'rate_limit_counters' });
      await redis.stop();
      await until(() => !storage.shared, 3000);
      expect(await healthOnce('down')).toEqual({
        status: 'down',
        latency_ms: expect.any(Number),
        used_for: 'rate_limit_counters',
        reason: expect.stringMatching(/^(refused|connection \w+|error)$/),
        fallback: 'counting in this process',
      });
      await sleep(1500);
      await redis.start();
      const back = await until(() => storage.shared, 5000);
      expect(await healthOnce('up')).toEqual({
        status: 'up',
        latency_ms: expect.any(Number),
        used_for: 'rate_limit_counters',
      });
      await sleep(500);
      running = false;
      await load;
      process.stdout.write(
        `\nRedis outage under load: ${JSON.stringify(counts)}; counting shared again ${back} ms after Redis returned\n`,
      );
      expect(counts.fiveHundreds).toBe(0);
      expect(counts.other).toBe(0);
      expect(counts.ok).toBeGreaterThan(100);
    } finally {
      await app.close();
    }
  }, 60_000);
});
