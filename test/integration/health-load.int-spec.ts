import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DatabaseService } from '@app/modules/database/database.service';
import { DATABASE_CHECK_TTL_MS } from '@app/modules/health/health-report.service';
import { createTestApp, send } from '@test/support/app';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';

// Issue #14, finding 9: /health/detailed ran SELECT 1 on every call, public and unlimited: 300
// calls from 60 clients grew the pool from 1 to 4 connections.
describe('/health/detailed cannot load the database', () => {
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

  it('300 calls from 60 concurrent clients: at most one SELECT 1 per interval, one connection', async () => {
    const database = app.get(DatabaseService);
    const query = jest.spyOn(database.source, 'query'); // counts, and calls through to PostgreSQL
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await send(app, 'GET', '/health/detailed')).statusCode);
        return statuses;
      }),
    );
    const elapsed = performance.now() - started;
    const probes = query.mock.calls.filter(([sql]) => sql === 'SELECT 1').length;
    query.mockRestore();
    expect(answers.flat()).toEqual(Array.from({ length: 300 }, () => 200));
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(Math.ceil(elapsed / DATABASE_CHECK_TTL_MS) + 1);
    const after = (await send(app, 'GET', '/health/detailed')).json();
    expect(after.checks.database).toMatchObject({ status: 'up' });
    expect(after.checks.database.pool.total).toBeLessThanOrEqual(2);
  });
});
