/**
 * `npm run bench`: creates per second through the service (its own process, HTTP on loopback,
 * validation, the Postgres adapter, the history row) next to a raw `pg` INSERT of the same row
 * through a pool of the same size, measured in the same run on the same server, alternating.
 * Reports the ratio; the target is >= 0.5. Bounded: a fixed number of requests, loopback only.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { aCreateBody } from '@test/support/builders';
import { createTestDatabase } from '@test/support/postgres';
import { SERVICE_ADMIN_KEY, startServiceProcess } from '@test/support/service-process';
import { jsonClient, median, throughput } from './support/load';

const POOL = 10;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6000);
const ROUNDS = 5;
const WARMUP = 3000;
const TARGET = 0.5;

function body(i: number): Record<string, unknown> {
  return aCreateBody({
    name: `bench ${i}`,
    industry_code: String(1000 + (i % 9000)),
    priority: i % 100,
    metadata: { i },
  });
}

it('POST /v1/admin/risk/thresholds vs raw pg INSERT', async () => {
  const db = await createTestDatabase();
  const service = await startServiceProcess(
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DELAY_MS: '0',
      STORAGE: 'postgres',
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: String(POOL),
      MIGRATIONS_RUN: 'true',
    },
    { from: 'dist' },
  );
  const client = await jsonClient(service.baseUrl, POOL, `Bearer ${SERVICE_ADMIN_KEY}`);
  const pool = new Pool({ connectionString: db.url, max: POOL });
  try {
    const create = async (i: number): Promise<void> => {
      const status = await client.post('/v1/admin/risk/thresholds', body(i));
      if (status !== 201) throw new Error(`unexpected status ${status}`);
    };
    const insert = async (i: number): Promise<void> => {
      const b = body(i);
      const now = new Date();
      await pool.query(
        `INSERT INTO risk_thresholds (id, name, description, category, industry_code, business_type, risk_levels, is_default,
           is_active, priority, metadata, version, created_at, updated_at, created_by, last_modified_by)
         VALUES ($1, $2, NULL, $3, $4, NULL, $5, false, true, $6, $7, 1, $8, $8, 'bench', 'bench')`,
        [
          randomUUID(),
          b.name,
          b.category,
          b.industry_code,
          JSON.stringify(b.risk_levels),
          b.priority,
          JSON.stringify(b.metadata),
          now,
        ],
      );
    };

    await throughput(WARMUP, POOL, (i) => create(1_000_000 + i));
    await throughput(WARMUP, POOL, (i) => insert(2_000_000 + i));
    const perRound = Math.ceil(REQUESTS / ROUNDS);
    const raw: number[] = [];
    const api: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raw.push(await throughput(perRound, POOL, (i) => insert(3_000_000 + round * perRound + i)));
      api.push(await throughput(perRound, POOL, (i) => create(4_000_000 + round * perRound + i)));
    }
    const ratio = median(api) / median(raw);
    process.stdout.write(
      [
        '',
        `create throughput: pool ${POOL}, ${POOL} in flight, ${perRound * ROUNDS} requests each, median of ${ROUNDS} alternating rounds`,
        `  raw pg INSERT (baseline):        ${median(raw).toFixed(0)} rows/s  (rounds ${raw.map((x) => x.toFixed(0)).join(', ')})`,
        `  POST /v1/admin/risk/thresholds:  ${median(api).toFixed(0)} req/s   (rounds ${api.map((x) => x.toFixed(0)).join(', ')})`,
        `  ratio service / baseline:        ${ratio.toFixed(2)} (target >= ${TARGET})`,
        '',
      ].join('\n'),
    );
    expect(ratio).toBeGreaterThanOrEqual(TARGET);
  } finally {
    await client.close();
    await pool.end();
    await service.stop();
    await db.drop();
  }
}, 600_000);
