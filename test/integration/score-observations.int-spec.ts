import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { ScoreFlusher } from '@app/modules/observations/capture/score-flusher.service';
import { dayNumber, dayString, hundredths } from '@app/modules/observations/domain/observation';
import { createTestApp, send } from '@test/support/app';
import {
  adminQuery,
  createTestDatabase,
  startThrowawayServer,
  withDatabase,
  type TestDatabase,
  type ThrowawayServer,
} from '@test/support/postgres';
import { SERVICE_ADMIN_KEY, startServiceProcess } from '@test/support/service-process';

interface Sent {
  score: number;
  category: string;
  industry_code?: string;
  business_type?: string;
}

/** A deterministic pseudo-random sequence (the test's known random set). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function requests(count: number, seed: number): Sent[] {
  const next = random(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  return Array.from({ length: count }, () => ({
    // Two or three decimals: capture rounds half-up to two.
    score: Math.round(next() * 100_000) / (next() < 0.5 ? 1000 : 100) / (next() < 0.5 ? 1 : 10),
    category: pick(['financial', 'operational']),
    ...(next() < 0.8 ? { industry_code: pick(['5221', '6201', '62a1', '62A1']) } : {}),
    ...(next() < 0.4 ? { business_type: pick(['Bank', 'bank', 'saas']) } : {}),
  })).map((r) => ({ ...r, score: Math.min(100, r.score) }));
}

/** The counts each answered request must have left, keyed as the store keeps them. */
function expectedCounts(sent: Sent[]): Map<string, number> {
  const day = dayString(dayNumber(Date.now()));
  const counts = new Map<string, number>();
  for (const r of sent) {
    const key = [
      day,
      r.category,
      (r.industry_code ?? '').toUpperCase(),
      (r.business_type ?? '').toLowerCase(),
      hundredths(r.score),
    ].join('|');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function storedCounts(url: string): Promise<Map<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      day: string;
      category: string;
      industry_code: string;
      business_type: string;
      score: string;
      count: string;
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, category, industry_code, business_type, score::text, count::text FROM score_observations`,
    );
    return new Map(
      rows.map((r) => [
        [r.day, r.category, r.industry_code, r.business_type, Math.round(Number(r.score) * 100)].join('|'),
        Number(r.count),
      ]),
    );
  } finally {
    await client.end();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const metric = async (app: NestFastifyApplication, name: string): Promise<number> => {
  const line = (await send(app, 'GET', '/metrics')).body.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
};

// CONTRACT §8.1 on real PostgreSQL.
describe('score capture on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('three instances (single and batch), one stopped by SIGTERM under load: the store holds exactly what was answered, per key', async () => {
    const env = { STORAGE: 'postgres', DATABASE_URL: db.url, SCORE_FLUSH_INTERVAL_MS: '200' };
    const [a, b] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
    // C flushes only at shutdown: what it answered reaches the store through its last flush alone.
    const c = await startServiceProcess({ ...env, SCORE_FLUSH_INTERVAL_MS: '600000', SHUTDOWN_DELAY_MS: '300' });
    const answered: Sent[] = [];
    try {
      const sent = requests(900, 17);
      // A: one by one; B: in batches of 50.
      for (const r of sent.slice(0, 300)) {
        if ((await send(a, 'POST', '/v1/risk/classify', r)).statusCode === 200) answered.push(r);
      }
      for (let i = 300; i < 600; i += 50) {
        const items = sent.slice(i, i + 50);
        if ((await send(b, 'POST', '/v1/risk/classify/batch', { items })).statusCode === 200) answered.push(...items);
      }
      // C: under load from 8 clients, SIGTERM while they send.
      const forC = sent.slice(600);
      let next = 0;
      const client = async (): Promise<void> => {
        while (next < forC.length) {
          const r = forC[next++];
          try {
            const res = await fetch(`${c.baseUrl}/v1/risk/classify`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_ADMIN_KEY}` },
              body: JSON.stringify(r),
            });
            if (res.status === 200) answered.push(r);
            await res.arrayBuffer();
          } catch {
            // refused once the server closed: not answered, not counted
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, () => client()));
      await waitFor('C to answer some', async () => next > 100);
      c.child.kill('SIGTERM');
      await load;
      expect(await c.exited).toBe(0);
      await Promise.all([a, b].map((app) => app.get(ScoreFlusher).flush()));

      expect(answered.length).toBeGreaterThan(700);
      expect(await storedCounts(db.url)).toEqual(expectedCounts(answered));
      // The distribution answers the same numbers.
      const financial = answered.filter((r) => r.category === 'financial').length;
      expect((await send(a, 'GET', '/v1/admin/risk/score-distribution?category=financial')).json().total).toBe(
        financial,
      );
    } finally {
      await c.stop();
      await Promise.all([a, b].map((app) => app.close()));
    }
  }, 120_000);

  it('above SCORE_CAPTURE_MAX_KEYS, observations are dropped and counted, and every classification still answers 200', async () => {
    const app = await createTestApp({ env: { SCORE_CAPTURE_MAX_KEYS: '5' } });
    try {
      const statuses = [];
      for (let i = 0; i < 20; i++) {
        statuses.push((await send(app, 'POST', '/v1/risk/classify', { score: i, category: 'financial' })).statusCode);
      }
      expect(new Set(statuses)).toEqual(new Set([200]));
      await app.get(ScoreFlusher).flush();
      expect(await metric(app, 'risk_score_observations_dropped_total')).toBe(15);
      expect((await send(app, 'GET', '/v1/admin/risk/score-distribution')).json().total).toBe(5);
    } finally {
      await app.close();
    }
  });
});

describe('score capture through a database outage', () => {
  let server: ThrowawayServer;
  let url: string;
  beforeAll(async () => {
    server = await startThrowawayServer();
    await adminQuery(server.adminUrl, 'CREATE DATABASE risk');
    url = withDatabase(server.adminUrl, 'risk');
  }, 60_000);
  afterAll(async () => {
    await server.destroy();
  });

  it('a 10 s outage mid-run loses nothing: counts wait in memory and are added when it returns', async () => {
    const app = await createTestApp({
      env: { STORAGE: 'postgres', DATABASE_URL: url, MIGRATIONS_RUN: 'true', SCORE_FLUSH_INTERVAL_MS: '200' },
    });
    const sent = requests(600, 99);
    let answered = 0;
    const classify = async (rs: Sent[]): Promise<void> => {
      for (const r of rs) if ((await send(app, 'POST', '/v1/risk/classify', r)).statusCode === 200) answered++;
    };
    try {
      await classify(sent.slice(0, 200));
      await server.stop();
      const outageEnds = Date.now() + 10_000;
      await classify(sent.slice(200, 400));
      await waitFor('a failed flush', async () => (await metric(app, 'risk_score_flush_failing')) === 1);
      // Questions need the store: a 503 with Retry-After while it is down, never a 500.
      const down = await send(app, 'GET', '/v1/admin/risk/score-distribution');
      expect([down.statusCode, down.headers['retry-after']]).toEqual([503, expect.any(String)]);
      const impact = await send(app, 'POST', '/v1/admin/risk/impact', {
        items: [{ op: 'delete', threshold_id: '00000000-0000-4000-8000-000000000006', base_version: 1 }],
      });
      expect(impact.statusCode).toBe(503);
      while (Date.now() < outageEnds) await new Promise((r) => setTimeout(r, 100));
      await server.start();
      await classify(sent.slice(400));
      expect(answered).toBe(600);
      await waitFor(
        'the counts to be stored',
        async () => {
          const res = await send(app, 'GET', '/v1/admin/risk/score-distribution');
          return res.statusCode === 200 && res.json().total === 600;
        },
        30_000,
      );
      expect(await metric(app, 'risk_score_flush_failing')).toBe(0);
      expect(await storedCounts(url)).toEqual(expectedCounts(sent));
    } finally {
      await app.close();
    }
  }, 90_000);
});
