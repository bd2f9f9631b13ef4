import { DataSource } from 'typeorm';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';
import { PostgresChangeRequestRepository } from '@app/modules/changes/persistence/postgres/postgres-change-request.repository';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';
import { changeRequestRepositoryContract } from '@test/support/change-request-repository.contract';

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

changeRequestRepositoryContract('postgres', async () => {
  await dataSource.query('TRUNCATE "change_requests" CASCADE');
  return new PostgresChangeRequestRepository(dataSource);
});
