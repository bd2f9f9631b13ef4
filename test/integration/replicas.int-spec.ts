import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ThresholdChangeFeed } from '@app/modules/thresholds/persistence/change-feed';
import type { PgChangeFeed } from '@app/modules/thresholds/persistence/postgres/pg-change-feed';
import { createTestApp, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';

const ADMIN = '/v1/admin/risk/thresholds';
const RESYNC_MS = 500;

describe('several replicas on one database', () => {
  let db: TestDatabase;
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;
  let c: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { STORAGE: 'postgres', DATABASE_URL: db.url, CATALOG_RESYNC_INTERVAL_MS: String(RESYNC_MS) };
    [a, b, c] = await Promise.all([createTestApp({ env }), createTestApp({ env }), createTestApp({ env })]);
    // Let every listener connect.
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await Promise.all([a, b, c].map((app) => app.close()));
    await db.drop();
  });

  /** Milliseconds until `app` serves threshold `id` at `version` (or gone, for version 0). */
  async function seen(app: NestFastifyApplication, id: string, version: number, timeoutMs: number): Promise<number> {
    const started = performance.now();
    for (;;) {
      const res = await send(app, 'GET', `${ADMIN}/${id}`);
      const served = res.statusCode === 200 ? res.json<{ version: number }>().version : 0;
      if (served === version) return performance.now() - started;
      if (performance.now() - started > timeoutMs) return Number.POSITIVE_INFINITY;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  it('a write through A is served by B and C within 1 s (worst of 50 writes)', async () => {
    const delays: number[] = [];
    let id = '';
    for (let i = 0; i < 50; i++) {
      let version: number;
      if (i % 10 === 0) {
        const created = (await send(a, 'POST', ADMIN, aCreateBody({ name: `replicated ${i}` }))).json();
        id = created.id;
        version = created.version;
      } else if (i % 10 === 9) {
        expect((await send(a, 'DELETE', `${ADMIN}/${id}`)).statusCode).toBe(204);
        version = 0;
      } else {
        version = (await send(a, 'PATCH', `${ADMIN}/${id}`, { priority: i })).json().version;
      }
      const [inB, inC] = await Promise.all([seen(b, id, version, 3000), seen(c, id, version, 3000)]);
      delays.push(inB, inC);
    }
    const worst = Math.max(...delays);
    const sorted = [...delays].sort((x, y) => x - y);
    process.stdout.write(
      `\nreplica propagation over 50 writes (B and C): median ${sorted[50].toFixed(1)} ms, worst ${worst.toFixed(1)} ms\n`,
    );
    expect(worst).toBeLessThan(1000);
  });

  it('a change missed while B is not listening is healed by the periodic resync', async () => {
    await b.get(ThresholdChangeFeed).close();
    const created = (await send(a, 'POST', ADMIN, aCreateBody({ name: 'missed by B' }))).json();
    const inC = await seen(c, created.id, 1, 1000);
    const inB = await seen(b, created.id, 1, RESYNC_MS * 2 + 1000);
    process.stdout.write(
      `\nmissed notification: C ${inC.toFixed(0)} ms (feed), B ${inB.toFixed(0)} ms (resync every ${RESYNC_MS} ms)\n`,
    );
    expect(inC).toBeLessThan(1000);
    expect(inB).toBeLessThan(RESYNC_MS * 2 + 1000);
  });

  it('the listener reconnects by itself after its connection is cut, and resyncs what it missed', async () => {
    const feed = c.get<ThresholdChangeFeed, PgChangeFeed>(ThresholdChangeFeed);
    feed.cut();
    const created = (await send(a, 'POST', ADMIN, aCreateBody({ name: 'while C reconnects' }))).json();
    expect(await seen(c, created.id, 1, 3000)).toBeLessThan(3000);
    for (let i = 0; i < 100 && !feed.listening; i++) await new Promise((r) => setTimeout(r, 20));
    expect(feed.listening).toBe(true);
    const later = (await send(a, 'POST', ADMIN, aCreateBody({ name: 'after C reconnected' }))).json();
    expect(await seen(c, later.id, 1, 1000)).toBeLessThan(1000);
  });
});
