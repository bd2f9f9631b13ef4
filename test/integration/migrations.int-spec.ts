import { DataSource } from 'typeorm';
import { loadConfig, type DatabaseConfig } from '@app/modules/config/app-config';
import { dataSourceOptions, MIGRATIONS } from '@app/modules/database/data-source.options';
import { DatabaseService, SchemaBehindError } from '@app/modules/database/database.service';
import { seedThresholds } from '@app/modules/thresholds/domain/seed';
import { fieldsOf } from '@app/modules/thresholds/domain/threshold';
import { PostgresThresholdRepository } from '@app/modules/thresholds/persistence/postgres/postgres-threshold.repository';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';

const databaseConfig = (url: string, env: Record<string, string> = {}): DatabaseConfig =>
  loadConfig({ DATABASE_URL: url, ...env }).database!;

async function tables(ds: DataSource): Promise<string[]> {
  const rows = await ds.query<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await createTestDatabase({ empty: true });
    ds = new DataSource(dataSourceOptions(databaseConfig(db.url)));
    await ds.initialize();
  });
  afterEach(async () => {
    if (ds.isInitialized) await ds.destroy();
    await db.drop();
  });

  const ALL_TABLES = [
    'change_request_items',
    'change_request_reviews',
    'change_requests',
    'idempotency_keys',
    'migrations',
    'pending_sign_ins',
    'risk_threshold_history',
    'risk_thresholds',
    'score_observations',
    'sessions',
  ];

  it('run on an empty database, revert all the way down, and run again', async () => {
    expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(
      MIGRATIONS.map((M) => new M().name),
    );
    expect(await tables(ds)).toEqual(ALL_TABLES);
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables(ds)).toEqual(['migrations']);
    expect(await ds.showMigrations()).toBe(true);
    await ds.runMigrations({ transaction: 'each' });
    expect(await ds.showMigrations()).toBe(false);
    expect(await tables(ds)).toEqual(ALL_TABLES);
  });

  it('the entities and the migrations describe the same schema (drift check)', async () => {
    await ds.runMigrations({ transaction: 'each' });
    const pending = await ds.driver.createSchemaBuilder().log();
    // Non-empty means an entity and the migrations disagree: write a migration for the change.
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('the drift check notices a schema that differs from the entities', async () => {
    await ds.runMigrations({ transaction: 'each' });
    await ds.query('DROP INDEX "IDX_risk_thresholds_priority"');
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query).join('\n')).toContain('IDX_risk_thresholds_priority');
  });

  it('seeds the thresholds of SPEC §2.3 once, as the in-memory store does', async () => {
    await ds.runMigrations({ transaction: 'each' });
    const stored = await new PostgresThresholdRepository(ds).findAll();
    const expected = seedThresholds(new Date());
    expect(stored.map(fieldsOf).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      expected.map(fieldsOf).sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(stored.map((t) => t.id).sort()).toEqual(expected.map((t) => t.id).sort());
    expect(stored.every((t) => t.createdBy === 'system' && t.version === 1)).toBe(true);
  });

  it('the database itself rejects invalid risk_levels and a second active default', async () => {
    await ds.runMigrations({ transaction: 'each' });
    const insert = (levels: string, isDefault = false): Promise<unknown> =>
      ds.query(
        `INSERT INTO risk_thresholds (id, name, category, risk_levels, is_default, created_at, updated_at, created_by, last_modified_by)
         VALUES (gen_random_uuid(), 'x', 'financial', $1::jsonb, $2, now(), now(), 't', 't')`,
        [levels, isDefault],
      );
    for (const bad of [
      '{"low":1,"medium":2,"high":3}',
      '{"low":1,"medium":2,"high":3,"critical":4,"x":5}',
      '{"low":2,"medium":2,"high":3,"critical":4}',
      '{"low":-1,"medium":2,"high":3,"critical":4}',
      '{"low":1,"medium":2,"high":3,"critical":101}',
      '{"low":"1","medium":2,"high":3,"critical":4}',
      '[1,2,3,4]',
    ]) {
      await expect(insert(bad)).rejects.toThrow(/CHK_risk_thresholds_risk_levels/);
    }
    await expect(insert('{"low":1,"medium":2,"high":3,"critical":4}')).resolves.toBeDefined();
    await expect(insert('{"low":1,"medium":2,"high":3,"critical":4}', true)).rejects.toThrow(
      /UQ_risk_thresholds_active_default/,
    );
  });

  it('at start: applies pending migrations when MIGRATIONS_RUN is on, refuses a schema that is behind when off', async () => {
    await ds.destroy();
    await expect(DatabaseService.start(databaseConfig(db.url, { MIGRATIONS_RUN: 'false' }))).rejects.toThrow(
      SchemaBehindError,
    );
    await expect(DatabaseService.start(databaseConfig(db.url, { MIGRATIONS_RUN: 'false' }))).rejects.toThrow(
      new RegExp(`${MIGRATIONS.length} migration\\(s\\) pending.*node dist/cli migrate`),
    );
    const service = await DatabaseService.start(databaseConfig(db.url, { MIGRATIONS_RUN: 'true' }));
    expect(await service.source.showMigrations()).toBe(false);
    await service.onApplicationShutdown();
    const again = await DatabaseService.start(databaseConfig(db.url, { MIGRATIONS_RUN: 'false' }));
    await again.onApplicationShutdown();
  });
});
