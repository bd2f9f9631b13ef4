import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';

/** Raised at start when the schema is behind and migrations are not run automatically. */
export class SchemaBehindError extends Error {
  constructor(pending: number) {
    super(
      `The database schema is behind: ${pending} migration(s) pending. Run \`npm run migration:run\` ` +
        'before starting the service, or set MIGRATIONS_RUN=true.',
    );
    this.name = 'SchemaBehindError';
  }
}

interface PgPool {
  on(event: 'error', listener: (error: Error) => void): void;
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Owns the connection pool: opens it, applies or checks migrations, counts pool errors (which
 * never crash the process), and closes it on shutdown.
 */
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private errors = 0;

  constructor(readonly dataSource: DataSource) {}

  static async connect(db: DatabaseConfig): Promise<DatabaseService> {
    const service = new DatabaseService(new DataSource(dataSourceOptions(db)));
    await service.dataSource.initialize();
    service.pool().on('error', (error) => {
      // An idle client lost its connection; the pool replaces it. Never crash on this.
      service.errors += 1;
      service.logger.error({ msg: 'database pool error', err: { name: error.name, message: error.message } });
    });
    if (db.migrationsRun) {
      const applied = await service.dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0)
        service.logger.log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
    } else if (await service.dataSource.showMigrations()) {
      const pending = await service.pendingMigrations();
      await service.dataSource.destroy();
      throw new SchemaBehindError(pending);
    }
    return service;
  }

  /** Errors reported by the pool since start. */
  get poolErrors(): number {
    return this.errors;
  }

  poolStats(): { total: number; idle: number; waiting: number } {
    const pool = this.pool();
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async pendingMigrations(): Promise<number> {
    const rows = await this.dataSource.query<{ executed: number }[]>(
      `SELECT CASE WHEN to_regclass('migrations') IS NULL THEN 0 ELSE (SELECT count(*)::int FROM "migrations") END AS executed`,
    );
    return this.dataSource.migrations.length - rows[0].executed;
  }

  private pool(): PgPool {
    return (this.dataSource.driver as unknown as { master: PgPool }).master;
  }
}
