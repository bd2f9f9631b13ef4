/**
 * The DataSource for the TypeORM CLI (`npm run migration:run|revert|show`): the same options
 * as the service, from the same validated environment.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';

const config = loadConfig(process.env);
if (!config.database) {
  throw new Error('DATABASE_URL is not set: the migration commands need a database.');
}

export default new DataSource(dataSourceOptions(config.database));
