import { EventEmitter } from 'node:events';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { createDataSource as CreateDataSource } from '@app/modules/database/data-source.factory';
import type { DatabaseConfig } from '@app/modules/config/app-config';
import {
  databaseFailureHint,
  databaseFailureReason,
  isConnectionError,
  type DatabaseFailureReason,
} from '@app/modules/database/connection-errors';

/** Raised at start when the schema is behind and migrations are not run automatically. */
export class SchemaBehindError extends Error {
  constructor(pending: number) {
    super(
      `The database schema is behind: ${pending} migration(s) pending. Run \`node dist/cli migrate\` ` +
        '(`npm run -s ops -- migrate` in a checkout) before starting the service, or set MIGRATIONS_RUN=true.',
    );
    this.name = 'SchemaBehindError';
  }
}

const ACCESS_LOST = new Set<DatabaseFailureReason>(['authentication_failed', 'database_missing']);

/** Raised by `run()` without touching the database while it is known to be down. */
export class DatabaseUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('The database is unavailable.', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

export type DatabaseState = 'connecting' | 'up' | 'down';

interface PgPool {
  on(event: 'error', listener: (error: Error) => void): void;
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Backoff of the background reconnection: 200 ms doubling to 1 s, so recovery is noticed within ~1 s. */
const BACKOFF_START_MS = 200;
const BACKOFF_MAX_MS = 1000;

/**
 * Owns the connection pool and knows whether the database is reachable (a circuit breaker):
 * - `run()` executes database work; while the database is known down it fails at once with
 *   `DatabaseUnavailableError` (no per-request connection attempts), and a connection failure
 *   during the work marks it down;
 * - while down, one background probe (`SELECT 1`) retries with backoff and marks it up again;
 * - the process starts even when the database is unreachable (the same loop connects later);
 * - pool errors are logged and counted, never crash the process.
 * Listeners of `up`/`down` (the catalog) react to the transitions.
 */
export class DatabaseService implements OnApplicationShutdown {
  readonly events = new EventEmitter();
  private readonly logger = new Logger('Database');
  private readonly dataSource: DataSource;
  private current: DatabaseState = 'connecting';
  private failure: DatabaseFailureReason | undefined;
  private errors = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly closingWork: (() => Promise<void>)[] = [];

  private constructor(
    /** The connection settings (for the embedded server, its URL). */ readonly config: DatabaseConfig,
  ) {
    // Required here, not imported: TypeORM (and the entities) load only when a database is
    // configured, so memory mode starts without them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createDataSource } = require('./data-source.factory') as { createDataSource: typeof CreateDataSource };
    this.dataSource = createDataSource(config);
  }

  /**
   * Creates the service and makes the first connection attempt. A reachable database with a
   * schema that is behind (and no automatic migration) stops the start with `SchemaBehindError`;
   * an unreachable one does not: the service keeps trying in the background.
   */
  static async start(db: DatabaseConfig): Promise<DatabaseService> {
    const service = new DatabaseService(db);
    try {
      await service.connect();
    } catch (error) {
      if (!isConnectionError(error)) {
        await service.close();
        throw error;
      }
      service.failure = databaseFailureReason(error);
      service.logger.warn(
        `database unreachable at start: ${service.failure} (${describe(error)}); ${databaseFailureHint(service.failure)}; ` +
          'retrying in the background',
      );
      service.scheduleReconnect(BACKOFF_START_MS);
    }
    return service;
  }

  get state(): DatabaseState {
    return this.current;
  }

  get available(): boolean {
    return this.current === 'up';
  }

  /** The DataSource, for work wrapped in `run()`. */
  get source(): DataSource {
    return this.dataSource;
  }

  /** Errors reported by the pool since start. */
  get poolErrors(): number {
    return this.errors;
  }

  poolStats(): { total: number; idle: number; waiting: number; max: number } {
    const pool = this.dataSource.isInitialized ? this.pool() : undefined;
    return {
      total: pool?.totalCount ?? 0,
      idle: pool?.idleCount ?? 0,
      waiting: pool?.waitingCount ?? 0,
      max: this.config.poolMax,
    };
  }

  /** Runs database work behind the breaker. */
  async run<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
    if (!this.available) throw new DatabaseUnavailableError();
    try {
      return await work(this.dataSource);
    } catch (error) {
      // Access lost while running (a rotated password, a dropped database) makes the database as
      // unusable as an outage: 503 and the breaker, not a 500 per request. At start it is a
      // configuration error instead, and stops the start.
      if (isConnectionError(error) || ACCESS_LOST.has(databaseFailureReason(error))) {
        this.markDown(error);
        throw new DatabaseUnavailableError(error);
      }
      throw error;
    }
  }

  /**
   * Work that needs the database at shutdown, after the HTTP server has closed (e.g. the last
   * flush of score counts): run before the pool closes, in the order registered; a failure is
   * logged and does not stop the shutdown.
   */
  beforeClose(work: () => Promise<void>): void {
    this.closingWork.push(work);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    for (const work of this.closingWork.splice(0)) {
      await work().catch((error: unknown) =>
        this.logger.warn(
          `shutdown work failed before the pool closed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async connect(): Promise<void> {
    if (!this.dataSource.isInitialized) {
      await this.dataSource.initialize();
      this.pool().on('error', (error) => {
        // An idle client lost its connection; the pool replaces it. Never crash on this; if the
        // server went away, open the breaker now rather than on the next request.
        this.errors += 1;
        this.logger.error({ msg: 'database pool error', err: { name: error.name, message: error.message } });
        if (isConnectionError(error)) this.markDown(error);
      });
    }
    if (this.config.migrationsRun) {
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) {
        this.logger.log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
      }
    } else if (await this.dataSource.showMigrations()) {
      throw new SchemaBehindError(await this.pendingMigrations());
    }
    this.markUp();
  }

  /** A failed reconnect: a new cause (a password rotated during the outage) is logged once. */
  private stillDown(error: unknown): void {
    const reason = databaseFailureReason(error);
    if (reason === this.failure) return;
    this.failure = reason;
    this.logger.warn(`database still unavailable: now ${reason} (${describe(error)}); ${databaseFailureHint(reason)}`);
  }

  /** What was last observed while the database is down (undefined while it is up). */
  get lastFailure(): DatabaseFailureReason | undefined {
    return this.current === 'up' ? undefined : this.failure;
  }

  private markUp(): void {
    const previous = this.current;
    this.current = 'up';
    this.failure = undefined;
    if (previous !== 'up') {
      if (previous === 'down') this.logger.log('database reachable again');
      this.events.emit('up');
    }
  }

  private markDown(error: unknown): void {
    if (this.current !== 'up') return;
    this.current = 'down';
    this.failure = databaseFailureReason(error);
    this.logger.error(
      `database unavailable: ${this.failure} (${describe(error)}); ${databaseFailureHint(this.failure)}; ` +
        'writes answer 503 until it returns',
    );
    this.events.emit('down');
    this.scheduleReconnect(BACKOFF_START_MS);
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.reconnect(delayMs);
    }, delayMs);
    this.timer.unref();
  }

  private async reconnect(delayMs: number): Promise<void> {
    try {
      if (this.dataSource.isInitialized) {
        await this.dataSource.query('SELECT 1');
        this.markUp();
      } else {
        await this.connect();
      }
    } catch (error) {
      if (error instanceof SchemaBehindError) this.logger.error(error.message);
      else this.stillDown(error);
      this.scheduleReconnect(Math.min(delayMs * 2, BACKOFF_MAX_MS));
    }
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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
