/**
 * `npm run migration:check`: against DATABASE_URL, fails (exit 1) when migrations are pending
 * or when the entities describe a schema the migrations did not create (drift).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigValidationError, loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';

async function main(): Promise<number> {
  const config = loadConfig(process.env);
  if (!config.database) {
    process.stderr.write('DATABASE_URL is not set.\n');
    return 2;
  }
  const dataSource = new DataSource(dataSourceOptions(config.database));
  await dataSource.initialize();
  try {
    if (await dataSource.showMigrations()) {
      process.stderr.write('FAIL: migrations are pending; run `npm run -s ops -- migrate` first.\n');
      return 1;
    }
    const drift = (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
    if (drift.length > 0) {
      process.stderr.write(
        `FAIL: the entities and the migrations disagree; a migration is missing for:\n${drift.join(';\n')}\n`,
      );
      return 1;
    }
    process.stdout.write('OK: no pending migrations, and the schema matches the entities.\n');
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigValidationError ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
