import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';

/** The service's DataSource. Its own module so that TypeORM loads only when a database is configured. */
export function createDataSource(db: DatabaseConfig): DataSource {
  return new DataSource(dataSourceOptions(db));
}
