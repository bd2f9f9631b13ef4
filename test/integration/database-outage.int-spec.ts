import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { Client } from 'pg';
import { DatabaseService } from '@app/modules/database/database.service';
import { createTestApp, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';
import { SERVICE_ADMIN_KEY, startServiceProcess } from '@test/support/service-process';
import { startThrowawayServer, withDatabase, adminQuery, type ThrowawayServer } from '@test/support/postgres';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs: number,
  poll?: () => Promise<unknown>,
): Promise<number> {
  const started = Date.now();
  if (poll) await poll();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
    if (poll) await poll();
  }
  return Date.now() - started;
}

describe('database outage (a throwaway PostgreSQL this test stops and starts)', () => {
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

  it('keeps serving reads and classification through a 10 s outage, answers writes 201 or 503, and recovers by itself', async () => {
    const app = await createTestApp({ env: { STORAGE: 'postgres', DATABASE_URL: url, MIGRATIONS_RUN: 'true' } });
    const database = app.get(DatabaseService);
    const counts = { reads: 0, failedReads: 0, created: 0, unavailable: 0, otherWriteAnswers: 0, staleAnswers: 0 };
    const created: string[] = [];
    const refused: string[] = [];
    let n = 0;
    let running = true;

    async function worker(): Promise<void> {
      while (running) {
        const i = n++;
        if (i % 10 === 9) {
          const name = `outage ${i}`;
          const res = await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ name }));
          if (res.statusCode === 201) {
            counts.created++;
            created.push(name);
          } else if (
            res.statusCode === 503 &&
            res.headers['retry-after'] &&
            res.json().code === 'SERVICE_UNAVAILABLE'
          ) {
            counts.unavailable++;
            refused.push(name);
          } else {
            counts.otherWriteAnswers++;
          }
          continue;
        }
        const res =
          i % 3 === 0
            ? await send(app, 'POST', '/v1/risk/classify', {
                score: i % 101,
                category: 'financial',
                industry_code: '5221',
              })
            : i % 3 === 1
              ? await send(app, 'GET', '/v1/risk/thresholds?category=regulatory&limit=5')
              : await send(app, 'GET', '/v1/risk/thresholds/match?category=cybersecurity&industry_code=54');
        counts.reads++;
        if (res.statusCode !== 200) counts.failedReads++;
        if (res.headers['x-data-stale'] === 'true') counts.staleAnswers++;
        await sleep(1);
      }
    }

    try {
      const load = Promise.all(Array.from({ length: 8 }, () => worker()));
      await sleep(2000);
      await server.stop();
      await waitFor('the breaker to open', () => !database.available, 5000);
      const during = await send(app, 'GET', '/health/detailed');
      expect(during.statusCode).toBe(200);
      expect(during.json()).toMatchObject({ status: 'degraded', checks: { database: { status: 'down' } } });
      expect(during.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|password/);
      expect((await send(app, 'GET', '/health/ready')).statusCode).toBe(200);
      await sleep(10_000);
      await server.start();
      const recoveryMs = await waitFor('recovery', () => database.available, 5000);
      await sleep(1500);
      running = false;
      await load;

      const stale = await send(app, 'GET', '/v1/risk/categories');
      expect(stale.headers['x-data-stale']).toBeUndefined();
      expect((await send(app, 'GET', '/health/detailed')).json()).toMatchObject({
        status: 'ok',
        checks: { database: { status: 'up' } },
      });
      process.stdout.write(
        `\noutage test: ${JSON.stringify(counts)}; recovered ${recoveryMs} ms after the database returned\n`,
      );
      expect(counts.failedReads).toBe(0);
      expect(counts.otherWriteAnswers).toBe(0);
      expect(counts.unavailable).toBeGreaterThan(0);
      expect(counts.created).toBeGreaterThan(0);
      expect(counts.staleAnswers).toBeGreaterThan(0);
      expect(recoveryMs).toBeLessThanOrEqual(5000);

      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const stored = await client.query<{ name: string; history: number }>(
          `SELECT t.name, (SELECT count(*)::int FROM risk_threshold_history h WHERE h.threshold_id = t.id) AS history
             FROM risk_thresholds t WHERE t.name LIKE 'outage %'`,
        );
        const byName = new Map(stored.rows.map((r) => [r.name, r.history]));
        for (const name of created) expect({ name, history: byName.get(name) }).toEqual({ name, history: 1 });
        for (const name of refused) expect({ name, stored: byName.has(name) }).toEqual({ name, stored: false });
      } finally {
        await client.end();
      }
      // Writes work again, and the catalog serves them.
      const after = await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ name: 'after outage' }));
      expect(after.statusCode).toBe(201);
    } finally {
      running = false;
      await app.close();
    }
  }, 60_000);

  it('starts with the database down: live 200, ready 503; ready within 5 s of the database coming up', async () => {
    await server.stop();
    const app = await createTestApp({ env: { STORAGE: 'postgres', DATABASE_URL: url, MIGRATIONS_RUN: 'true' } });
    try {
      expect((await send(app, 'GET', '/health/live')).statusCode).toBe(200);
      const notReady = await send(app, 'GET', '/health/ready');
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json().failing).toEqual(['thresholds']);
      const detailed = await send(app, 'GET', '/health/detailed');
      expect(detailed.statusCode).toBe(503);
      expect(detailed.json()).toMatchObject({ status: 'down', checks: { thresholds: { status: 'down' } } });
      const classify = await send(app, 'POST', '/v1/risk/classify', { score: 5, category: 'financial' });
      expect(classify.statusCode).toBe(503);
      const write = await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody());
      expect(write.statusCode).toBe(503);
      expect(write.headers['retry-after']).toBeDefined();

      await server.start();
      let ready = false;
      const ms = await (async () => {
        const started = Date.now();
        while (!ready && Date.now() - started < 5000) {
          ready = (await send(app, 'GET', '/health/ready')).statusCode === 200;
          if (!ready) await sleep(50);
        }
        return Date.now() - started;
      })();
      process.stdout.write(`\nstart-without-database test: ready ${ms} ms after the database came up\n`);
      expect(ready).toBe(true);
      expect((await send(app, 'POST', '/v1/risk/classify', { score: 5, category: 'financial' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('warm start: with SNAPSHOT_PATH, a replica starting while the database is down serves the last snapshot, marked stale', async () => {
    const snapshotPath = join(mkdtempSync(join(tmpdir(), 'rts-snapshot-')), 'catalog.json');
    const env = { STORAGE: 'postgres', DATABASE_URL: url, MIGRATIONS_RUN: 'true', SNAPSHOT_PATH: snapshotPath };
    const first = await createTestApp({ env });
    const created = (
      await send(first, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ name: 'in the snapshot' }))
    ).json();
    await waitFor(
      'the snapshot file',
      () => existsSync(snapshotPath) && readFileSync(snapshotPath, 'utf8').includes(created.id),
      5000,
    );
    await first.close();
    expect(statSync(snapshotPath).mode & 0o777).toBe(0o600);

    await server.stop();
    const second = await createTestApp({ env });
    try {
      const ready = await send(second, 'GET', '/health/ready');
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.storage).toBe('degraded');
      const read = await send(second, 'GET', `/v1/admin/risk/thresholds/${created.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.headers['x-data-stale']).toBe('true');
      const refused = await send(second, 'POST', '/v1/admin/risk/thresholds', aCreateBody());
      expect(refused.statusCode).toBe(503);
      // Only answers served from the snapshot say they are stale: not an error, not a probe.
      expect(refused.headers['x-data-stale']).toBeUndefined();
      expect((await send(second, 'GET', '/health/ready')).headers['x-data-stale']).toBeUndefined();
      await server.start();
      const database = second.get(DatabaseService);
      await waitFor('recovery', () => database.available, 5000);
      expect((await send(second, 'GET', '/v1/risk/categories')).headers['x-data-stale']).toBeUndefined();
    } finally {
      await second.close();
    }
  }, 60_000);

  it('a hung database (accepts, never answers) never makes a probe wait longer than its bound', async () => {
    const hung = createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const port = (hung.address() as AddressInfo).port;
    const started = Date.now();
    const app = await createTestApp({
      env: {
        STORAGE: 'postgres',
        DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/risk`,
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
      },
    });
    try {
      const startMs = Date.now() - started;
      const timed = async (path: string): Promise<{ status: number; ms: number }> => {
        const t = Date.now();
        const res = await send(app, 'GET', path);
        return { status: res.statusCode, ms: Date.now() - t };
      };
      const live = await timed('/health/live');
      const ready = await timed('/health/ready');
      const detailed = await timed('/health/detailed');
      process.stdout.write(
        `\nhung database: start ${startMs} ms; live ${live.ms} ms, ready ${ready.ms} ms, detailed ${detailed.ms} ms\n`,
      );
      expect(startMs).toBeLessThan(5000);
      expect(live).toMatchObject({ status: 200 });
      expect(ready).toMatchObject({ status: 503 });
      expect(detailed).toMatchObject({ status: 503 });
      for (const probe of [live, ready, detailed]) expect(probe.ms).toBeLessThan(1250);
    } finally {
      await app.close();
      hung.close();
    }
  }, 60_000);

  // Issue #13, finding 3: a rotated password showed "reason": "unavailable" in /health/detailed;
  // only `db:check` said why. Health and the log say what was observed.
  it('a password rotated under the service: 503 for writes, health and log say authentication_failed', async () => {
    await adminQuery(server.adminUrl, `CREATE ROLE rotating LOGIN SUPERUSER PASSWORD 'first-password'`);
    const rotatingUrl = new URL(url);
    rotatingUrl.username = 'rotating';
    rotatingUrl.password = 'first-password';
    // Its own process: the log lines are the service's stdout, as an operator reads them.
    const service = await startServiceProcess({
      STORAGE: 'postgres',
      DATABASE_URL: rotatingUrl.toString(),
      MIGRATIONS_RUN: 'true',
    });
    const write = (): Promise<Response> =>
      fetch(`${service.baseUrl}/v1/admin/risk/thresholds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVICE_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(aCreateBody()),
      });
    try {
      await adminQuery(
        server.adminUrl,
        `ALTER ROLE rotating PASSWORD 'second-password';
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'rotating'`,
      );
      expect((await write()).status).toBe(503);
      let database: { status?: string; reason?: string; hint?: string } = {};
      await waitFor(
        'health to report authentication_failed',
        () => database.reason === 'authentication_failed',
        15_000,
        async () =>
          (database = (
            (await (await fetch(`${service.baseUrl}/health/detailed`)).json()) as {
              checks: { database: typeof database };
            }
          ).checks.database),
      );
      expect(database).toMatchObject({ status: 'down', hint: expect.stringContaining('password') });
      expect(JSON.stringify(database)).not.toContain('second-password');
      // The line reaches us through the process's stdout pipe, possibly after the health answer.
      const logged = /"level":"(warn|error)"[^\n]*database (still )?unavailable: (now )?authentication_failed/;
      await waitFor('the log line saying authentication_failed', () => logged.test(service.output()), 5_000);
      expect(service.output()).not.toContain('second-password');
      expect((await write()).status).toBe(503);
    } finally {
      await service.stop(); // the role stays: it owns what it migrated; the server is thrown away
    }
  }, 60_000);
});
