import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';
import { Client } from 'pg';

const ADMIN = '/v1/admin/risk/thresholds';

describe('concurrent writers against PostgreSQL', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createTestApp({ env: { STORAGE: 'postgres', DATABASE_URL: db.url, DATABASE_POOL_MAX: '10' } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(sql, params);
      return rows[0].n;
    } finally {
      await client.end();
    }
  }

  it('50 PATCHes with the same If-Match: exactly one 200, the rest 412, one history row', async () => {
    const t = (await send(app, 'POST', ADMIN, aCreateBody())).json();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(app, 'PATCH', `${ADMIN}/${t.id}`, { priority: i + 1 }, { 'if-match': '"1"' }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const winner = results.find((r) => r.statusCode === 200)!.json();
    expect((await send(app, 'GET', `${ADMIN}/${t.id}`)).json()).toMatchObject({
      version: 2,
      priority: winner.priority,
    });
    expect(
      await count(
        `SELECT count(*)::int AS n FROM risk_threshold_history WHERE threshold_id = $1 AND action = 'update'`,
        [t.id],
      ),
    ).toBe(1);
  });

  it('20 creates of a default for the same category: exactly one 201, the rest 409, one active default', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        send(app, 'POST', ADMIN, aCreateBody({ category: 'strategic', is_default: true })),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.statusCode === 409)) {
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().code).toBe('CONFLICT');
    }
    expect(
      await count(
        `SELECT count(*)::int AS n FROM risk_thresholds WHERE category = 'strategic' AND is_default AND is_active`,
      ),
    ).toBe(1);
  });

  it('concurrent unconditional PATCHes all apply, each with its own version and history row', async () => {
    const t = (await send(app, 'POST', ADMIN, aCreateBody())).json();
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => send(app, 'PATCH', `${ADMIN}/${t.id}`, { priority: 100 + i })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200]);
    expect(results.map((r) => r.json().version).sort()).toEqual([2, 3, 4, 5]);
    expect(await count(`SELECT count(*)::int AS n FROM risk_threshold_history WHERE threshold_id = $1`, [t.id])).toBe(
      5,
    );
  });
});

describe('idempotent creates against PostgreSQL', () => {
  it('10 concurrent retries of one create with the same Idempotency-Key create one threshold', async () => {
    const db = await createTestDatabase();
    const app = await createTestApp({ env: { STORAGE: 'postgres', DATABASE_URL: db.url } });
    try {
      const body = aCreateBody({ name: 'concurrent retries' });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => send(app, 'POST', ADMIN, body, { 'idempotency-key': 'same-key' })),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
      expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
      expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
      const client = new Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM risk_thresholds WHERE name = 'concurrent retries'`,
      );
      await client.end();
      expect(rows[0].n).toBe(1);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
