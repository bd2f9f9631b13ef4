import { Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig, type StorageMode } from '@app/modules/config/app-config';
import {
  databaseFailureHint,
  databaseFailureReason,
  type DatabaseFailureReason,
} from '@app/modules/database/connection-errors';
import { DatabaseService } from '@app/modules/database/database.service';
import { RateLimitStatus } from '@app/modules/rate-limit/rate-limit.module';
import type { RedisHealth } from '@app/modules/rate-limit/resilient-throttler.storage';
import { SERVICE_VERSION } from '@app/modules/docs/version';
import { LifecycleService } from '@app/modules/health/lifecycle.service';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';

/** Each dependency check is bounded, so a probe never hangs on a hung database. */
export const CHECK_TIMEOUT_MS = 1000;

/**
 * The database probe's answer is reused this long, and callers meanwhile share one probe in
 * flight: `/health/detailed` is public, so however often it is called it costs the database at
 * most one `SELECT 1` a second (and one pooled connection).
 */
export const DATABASE_CHECK_TTL_MS = 1000;

interface ProbeOutcome {
  up: boolean;
  latencyMs: number;
  failure?: DatabaseFailureReason;
}

type CheckStatus = 'up' | 'down';

export interface DatabaseCheck {
  status: CheckStatus;
  latency_ms: number;
  /**
   * Why it is down, in words that reveal nothing internal: what was last observed
   * (`authentication_failed`, `refused`, `timeout`, `database_missing`, …, see
   * `DatabaseFailureReason`), `pool_saturated`, or `unavailable` when nothing more is known.
   */
  reason?: DatabaseFailureReason | 'unavailable' | 'pool_saturated';
  /** What an operator can do about `reason`. */
  hint?: string;
  pool: { total: number; idle: number; waiting: number; max: number };
}

export interface DetailedHealth {
  status: 'ok' | 'degraded' | 'down';
  storage: StorageMode;
  checks: {
    database: DatabaseCheck | 'not_configured';
    redis: RedisHealth;
    thresholds: { status: CheckStatus; total: number; active: number; by_category: Record<string, number> };
    lifecycle: 'running' | 'shutting_down';
  };
  version: string;
  uptime_s: number;
}

function down(
  latencyMs: number,
  reason: NonNullable<DatabaseCheck['reason']>,
  pool: DatabaseCheck['pool'],
): DatabaseCheck {
  const hint = reason === 'unavailable' || reason === 'pool_saturated' ? undefined : databaseFailureHint(reason);
  return { status: 'down', latency_ms: latencyMs, reason, ...(hint ? { hint } : {}), pool };
}

/**
 * The document of `GET /health/detailed` (CONTRACT §3.4), built from terminus indicators: the
 * database (`SELECT 1`, skipped while the breaker is open, bounded by `CHECK_TIMEOUT_MS`), the
 * pool (down when more clients wait than `DATABASE_POOL_MAX_WAITING`), and the catalog. `degraded`: the database is
 * down but the snapshot serves; `down` (503): thresholds are not loaded or the process is
 * shutting down.
 */
@Injectable()
export class HealthReportService {
  private readonly startedAt = Date.now();
  private probe?: { startedAt: number; outcome: Promise<ProbeOutcome> };

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly catalog: ThresholdCatalog,
    private readonly lifecycle: LifecycleService,
    private readonly config: AppConfig,
    @Optional() private readonly database?: DatabaseService,
    @Optional() private readonly rateLimit?: RateLimitStatus,
  ) {
    // A change of state is news the next call reports at once, not after the reuse interval.
    database?.events.on('up', () => (this.probe = undefined));
    database?.events.on('down', () => (this.probe = undefined));
  }

  async detailed(): Promise<DetailedHealth> {
    const [database, thresholds, redis] = await Promise.all([
      this.checkDatabase(),
      this.checkThresholds(),
      this.rateLimit?.redis() ?? ('not_configured' as const),
    ]);
    const databaseDown = database !== 'not_configured' && database.status === 'down';
    const status =
      thresholds.status === 'down' || this.lifecycle.shuttingDown ? 'down' : databaseDown ? 'degraded' : 'ok';
    return {
      status,
      storage: this.config.storage.mode,
      checks: {
        database,
        redis,
        thresholds,
        lifecycle: this.lifecycle.shuttingDown ? 'shutting_down' : 'running',
      },
      version: SERVICE_VERSION,
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  private async checkDatabase(): Promise<DatabaseCheck | 'not_configured'> {
    const database = this.database;
    if (!database) return 'not_configured';
    const pool = database.poolStats();
    if (!database.available) return down(0, database.lastFailure ?? 'unavailable', pool);
    const { up, latencyMs: latency, failure } = await this.probeDatabase(database);
    if (up) {
      const saturated = pool.waiting > database.config.poolMaxWaiting;
      return {
        status: saturated ? 'down' : 'up',
        latency_ms: latency,
        ...(saturated ? { reason: 'pool_saturated' } : {}),
        pool,
      };
    }
    return down(latency, failure ?? 'error', database.poolStats());
  }

  /** `SELECT 1`, bounded by `CHECK_TIMEOUT_MS`, shared by the callers of `DATABASE_CHECK_TTL_MS`. */
  private probeDatabase(database: DatabaseService): Promise<ProbeOutcome> {
    const now = performance.now();
    if (this.probe && now - this.probe.startedAt < DATABASE_CHECK_TTL_MS) return this.probe.outcome;
    const outcome = (async (): Promise<ProbeOutcome> => {
      let failure: DatabaseFailureReason | undefined;
      let settled = false;
      const result = await this.indicators
        .check('database')
        .attempt(async () => {
          await database.source
            .query('SELECT 1')
            .catch((error: unknown) => {
              failure = databaseFailureReason(error);
              throw error;
            })
            .finally(() => (settled = true));
        })
        .withTimeout(CHECK_TIMEOUT_MS);
      const status = (result.database as { status: string }).status;
      // A query that never settled timed out, whatever the clocks say (a timer may fire a millisecond
      // before performance.now() reaches its delay).
      if (status !== 'up' && !settled) failure = 'timeout';
      return { up: status === 'up', latencyMs: Math.round(performance.now() - now), failure };
    })();
    this.probe = { startedAt: now, outcome };
    return outcome;
  }

  private async checkThresholds(): Promise<DetailedHealth['checks']['thresholds']> {
    const snapshot = this.catalog.peek();
    const indicator = this.indicators.check('thresholds');
    if (!snapshot) {
      indicator.down({ loaded: false });
      return { status: 'down', total: 0, active: 0, by_category: {} };
    }
    const counts = snapshot.counts();
    indicator.up({ total: counts.total });
    return { status: 'up', total: counts.total, active: counts.active, by_category: counts.byCategory };
  }
}
