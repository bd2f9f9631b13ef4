import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';
import {
  adminQuery,
  ENV_ADMIN_URL,
  ENV_TEMPLATE,
  startPostgresServer,
  withDatabase,
  type PostgresServer,
} from '@test/support/postgres';

declare global {
  var rtsPostgres: { server: PostgresServer; template: string } | undefined;
}

/**
 * Once per run: find or start PostgreSQL, migrate a template database, say which server is used.
 * Each project that needs it names this setup; the second one finds the first's work done.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.rtsPostgres) return;
  const server = await startPostgresServer();
  const template = `rts_template_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `CREATE DATABASE "${template}"`);
  const config = loadConfig({ DATABASE_URL: withDatabase(server.adminUrl, template), MIGRATIONS_RUN: 'true' });
  const dataSource = new DataSource(dataSourceOptions(config.database!));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  process.env[ENV_ADMIN_URL] = server.adminUrl;
  process.env[ENV_TEMPLATE] = template;
  globalThis.rtsPostgres = { server, template };
  process.stdout.write(`\nIntegration tests use ${server.description}; template database ${template}.\n`);
}
