import { DataSource } from 'typeorm';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';
import { ThresholdEntity } from '@app/modules/thresholds/persistence/postgres/threshold.entity';
import { toEntity } from '@app/modules/thresholds/persistence/postgres/threshold.mapper';
import { PostgresThresholdRepository } from '@app/modules/thresholds/persistence/postgres/postgres-threshold.repository';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';
import { thresholdRepositoryContract } from '@test/support/threshold-repository.contract';

let db: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: db.url }).database!));
  await dataSource.initialize();
});

afterAll(async () => {
  await dataSource.destroy();
  await db.drop();
});

thresholdRepositoryContract('postgres', async (initial) => {
  await dataSource.query('TRUNCATE "risk_thresholds", "risk_threshold_history", "idempotency_keys"');
  if (initial.length > 0) await dataSource.getRepository(ThresholdEntity).insert(initial.map(toEntity) as never);
  return new PostgresThresholdRepository(dataSource);
});

describe('postgres full load (findAll)', () => {
  it('reads every row across pages, consistently, with equal values shared', async () => {
    await dataSource.query('TRUNCATE "risk_thresholds", "risk_threshold_history", "idempotency_keys"');
    // 25,001 rows: two full pages of 10,000 and a partial one.
    await dataSource.query(`
      INSERT INTO risk_thresholds (id, name, category, industry_code, risk_levels, priority, created_at, updated_at,
        created_by, last_modified_by)
      SELECT gen_random_uuid(), 'load ' || i, 'financial', (i % 97)::text, '{"low":10,"medium":20,"high":30,"critical":40}',
        i % 100, now(), now(), 'loader', 'loader'
        FROM generate_series(1, 25001) AS i`);
    const all = await new PostgresThresholdRepository(dataSource).findAll();
    expect(all).toHaveLength(25_001);
    expect(new Set(all.map((t) => t.id)).size).toBe(25_001);
    expect(all[0].riskLevels).toEqual({ low: 10, medium: 20, high: 30, critical: 40 });
    expect(all[0].riskLevels).toBe(all[25_000].riskLevels);
    expect(
      all.every((t) => t.createdAt instanceof Date && t.category === 'financial' && t.createdBy === 'loader'),
    ).toBe(true);
  });

  it('reads the edges of the id space: the nil UUID and the largest one are never skipped', async () => {
    await dataSource.query('TRUNCATE "risk_thresholds", "risk_threshold_history", "idempotency_keys"');
    const edges = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
    await dataSource.query(
      `INSERT INTO risk_thresholds (id, name, category, risk_levels, priority, created_at, updated_at, created_by,
        last_modified_by)
       SELECT id, 'edge', 'financial', '{"low":10,"medium":20,"high":30,"critical":40}', 0, now(), now(), 't', 't'
         FROM unnest($1::uuid[]) AS id`,
      [edges],
    );
    const all = await new PostgresThresholdRepository(dataSource).findAll();
    expect(all.map((t) => t.id).sort()).toEqual(edges);
  });
});
