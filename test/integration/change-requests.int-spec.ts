import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { as, createTestApp, expectProblem, send } from '@test/support/app';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';

const CR = '/v1/admin/risk/change-requests';
const BANKS = '00000000-0000-4000-8000-000000000006';
const maker = as('editor');
const checker = as('admin');

/** Resolves once `check` holds, polling; fails after `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rows of a query on the test database. */
async function query<T>(url: string, text: string, values: unknown[]): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

const aThreshold = (i: number): Record<string, unknown> => ({
  name: `Bulk ${i}`,
  category: 'strategic',
  industry_code: `B${i}`,
  risk_levels: { low: 10, medium: 20, high: 30, critical: 40 },
});

// CONTRACT §7 on real PostgreSQL, with two replicas (A and B) on one database and CHANGE_APPROVALS=1.
describe('change requests on PostgreSQL', () => {
  let db: TestDatabase;
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      STORAGE: 'postgres',
      DATABASE_URL: db.url,
      CHANGE_APPROVALS: '1',
      CHANGE_SCHEDULER_INTERVAL_MS: '200',
    };
    [a, b] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
  });
  afterAll(async () => {
    await Promise.all([a, b].map((app) => app.close()));
    await db.drop();
  });

  /** A request through A: created by the maker, submitted, approved by the checker. */
  async function approved(items: unknown[]): Promise<string> {
    const created = await send(a, 'POST', CR, { title: 'Bulk', reason: 'A reason that is long enough.', items }, maker);
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect((await send(a, 'POST', `${CR}/${id}/submit`, undefined, maker)).statusCode).toBe(200);
    expect((await send(a, 'POST', `${CR}/${id}/reviews`, { decision: 'approve' }, checker)).json().state).toBe(
      'approved',
    );
    return id;
  }

  const countBulk = async (): Promise<number> =>
    (await send(a, 'GET', '/v1/admin/risk/threshold-export'))
      .json<{ name: string }[]>()
      .filter((t) => t.name.startsWith('Bulk ')).length;

  it('a 1000-item request applies atomically, and 20 concurrent applies apply it exactly once', async () => {
    const id = await approved(Array.from({ length: 1000 }, (_, i) => ({ op: 'create', threshold: aThreshold(i) })));
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? a : b, 'POST', `${CR}/${id}/apply`, {}, maker)),
    );
    expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.statusCode !== 200 && r.statusCode !== 409).map((r) => r.body)).toEqual([]);
    expect(await countBulk()).toBe(1000);
    const history = await query<{ n: string }>(
      db.url,
      `SELECT count(*) AS n FROM risk_threshold_history WHERE change_request_id = $1 AND approvers = '["test-admin"]'`,
      [id],
    );
    expect(Number(history[0].n)).toBe(1000);
  }, 120_000);

  it('another change applied between approval and apply: 409, conflicted, nothing written', async () => {
    const seed = (await send(a, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    const update = (medium: number): Record<string, unknown> => ({
      op: 'update',
      threshold_id: BANKS,
      base_version: seed.version,
      threshold: {
        ...aThreshold(0),
        name: seed.name,
        category: 'financial',
        industry_code: '52',
        risk_levels: { low: 30, medium, high: 80, critical: 90 },
      },
    });
    const first = await approved([update(50), { op: 'create', threshold: aThreshold(5000) }]);
    const second = await approved([update(52)]);
    expect((await send(a, 'POST', `${CR}/${first}/apply`, {}, maker)).statusCode).toBe(200);
    const before = await countBulk();
    const refused = expectProblem(await send(b, 'POST', `${CR}/${second}/apply`, {}, maker), 409, 'CONFLICT');
    expect(refused.errors?.[0]).toMatchObject({ field: '/items/0/base_version', code: 'moved' });
    expect((await send(b, 'GET', `${CR}/${second}`)).json().state).toBe('conflicted');
    expect(await countBulk()).toBe(before);
  });

  it('two replicas with a request due: applied once, within 5 s of its time; a moved base ends failed', async () => {
    const id = await approved([{ op: 'create', threshold: aThreshold(7000) }]);
    const when = new Date(Date.now() + 1500);
    expect((await send(a, 'POST', `${CR}/${id}/schedule`, { at: when.toISOString() }, maker)).json()).toMatchObject({
      state: 'scheduled',
      scheduled_for: when.toISOString(),
    });
    const appliedAt = await waitFor(
      'the scheduled apply',
      async () => {
        const cr = (await send(b, 'GET', `${CR}/${id}`)).json();
        return cr.state === 'applied' ? new Date(cr.applied_at as string) : undefined;
      },
      10_000,
    );
    expect(appliedAt.getTime() - when.getTime()).toBeGreaterThanOrEqual(0);
    expect(appliedAt.getTime() - when.getTime()).toBeLessThan(5000);
    const rows = await query<{ actor: string; change_request_id: string }>(
      db.url,
      `SELECT actor, change_request_id FROM risk_threshold_history WHERE change_request_id = $1`,
      [id],
    );
    expect(rows).toEqual([{ actor: 'scheduler', change_request_id: id }]);

    // A scheduled request whose base moved before its time: failed, with the reason.
    const seed = (await send(a, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    const stale = await approved([{ op: 'delete', threshold_id: BANKS, base_version: seed.version }]);
    await send(a, 'POST', `${CR}/${stale}/schedule`, { at: new Date(Date.now() + 1000).toISOString() }, maker);
    const other = await approved([
      {
        op: 'update',
        threshold_id: BANKS,
        base_version: seed.version,
        threshold: {
          name: seed.name,
          category: 'financial',
          industry_code: '52',
          risk_levels: { low: 31, medium: 55, high: 80, critical: 90 },
        },
      },
    ]);
    expect((await send(a, 'POST', `${CR}/${other}/apply`, {}, maker)).statusCode).toBe(200);
    const failed = await waitFor(
      'the failed scheduled apply',
      async () => {
        const cr = (await send(a, 'GET', `${CR}/${stale}`)).json();
        return cr.state === 'failed' ? cr : undefined;
      },
      10_000,
    );
    expect(failed.failure).toContain('Nothing was applied');
    // Counted once, by the replica that claimed it (the alert RiskThresholdScheduledChangeFailed fires on it).
    const failures = await Promise.all(
      [a, b].map(async (app) => {
        const line = /^risk_change_request_failures_total (\d+)$/m.exec((await send(app, 'GET', '/metrics')).body);
        return Number(line?.[1] ?? 'NaN');
      }),
    );
    expect(failures[0] + failures[1]).toBe(1);
    await waitFor(
      'the state gauge',
      async () => {
        const m = /^risk_change_requests\{state="failed"\} (\d+)$/m.exec((await send(a, 'GET', '/metrics')).body);
        return m && Number(m[1]) === 1 ? true : undefined;
      },
      5000,
    );
    expect((await send(a, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).statusCode).toBe(200);
  }, 60_000);
});
