import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { APPLICATION_NAME } from '@app/modules/database/data-source.options';
import { DatabaseService } from '@app/modules/database/database.service';
import { createTestApp, expectProblem, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';

const ADMIN = '/v1/admin/risk/thresholds';

describe('PostgreSQL storage through HTTP', () => {
  let db: TestDatabase;
  const start = (): Promise<NestFastifyApplication> =>
    createTestApp({ env: { STORAGE: 'postgres', DATABASE_URL: db.url } });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('keeps every threshold, inactive ones included, across a restart, and they stay writable', async () => {
    const first = await start();
    const created: { id: string }[] = [];
    for (let i = 0; i < 3; i++) {
      created.push((await send(first, 'POST', ADMIN, aCreateBody({ metadata: { n: i } }))).json());
    }
    await send(first, 'PATCH', `${ADMIN}/${created[0].id}`, { priority: 4, description: 'updated' });
    await send(first, 'PATCH', `${ADMIN}/${created[1].id}`, { is_active: false });
    await send(first, 'PATCH', `${ADMIN}/${created[1].id}`, { name: 'inactive, renamed' });
    const before = (await send(first, 'GET', '/v1/admin/risk/threshold-export')).json();
    await first.close();

    const second = await start();
    try {
      for (const t of before) {
        const res = await send(second, 'GET', `${ADMIN}/${t.id}`);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual(t);
        expect(res.headers.etag).toBe(`"${t.version}"`);
      }
      expect((await send(second, 'GET', `${ADMIN}/${created[1].id}`)).json()).toMatchObject({
        is_active: false,
        version: 3,
      });
      const patched = await send(second, 'PATCH', `${ADMIN}/${created[0].id}`, { priority: 5 }, { 'if-match': '"2"' });
      expect(patched.json()).toMatchObject({ priority: 5, version: 3 });
      expect(
        (await send(second, 'DELETE', `${ADMIN}/${created[1].id}`, undefined, { 'if-match': '"3"' })).statusCode,
      ).toBe(204);
      expectProblem(await send(second, 'GET', `${ADMIN}/${created[1].id}`), 404, 'NOT_FOUND');
      const history = (await send(second, 'GET', `${ADMIN}/${created[1].id}/history`)).json().history;
      expect(history.map((h: { action: string }) => h.action)).toEqual(['delete', 'update', 'update', 'create']);
    } finally {
      await second.close();
    }
  });

  it('serves the seeds from the migration and classifies against stored data', async () => {
    const app = await start();
    try {
      const res = await send(app, 'POST', '/v1/risk/classify', {
        score: 55,
        category: 'financial',
        industry_code: '5221',
      });
      expect(res.json()).toMatchObject({ level: 'medium', threshold_id: '00000000-0000-4000-8000-000000000006' });
      const imported = await send(app, 'POST', '/v1/admin/risk/threshold-import?dry_run=true', [aCreateBody()]);
      expect(imported.json()).toMatchObject({ created: 1, dry_run: true });
    } finally {
      await app.close();
    }
  });
});

describe('pool errors', () => {
  it('a dropped connection is logged and counted, never crashes the process, and the next request works', async () => {
    const db = await createTestDatabase();
    const app = await createTestApp({ env: { STORAGE: 'postgres', DATABASE_URL: db.url } });
    try {
      expect((await send(app, 'GET', '/v1/risk/thresholds')).statusCode).toBe(200);
      const database = app.get(DatabaseService);
      expect(database.poolErrors).toBe(0);
      const admin = new Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND state = 'idle'`,
        [db.name, APPLICATION_NAME],
      );
      await admin.end();
      for (let i = 0; i < 50 && database.poolErrors === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(database.poolErrors).toBeGreaterThan(0);
      expect((await send(app, 'GET', '/v1/risk/thresholds')).statusCode).toBe(200);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
