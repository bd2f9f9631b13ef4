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
