import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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
