import type { Histogram } from 'prom-client';
import type { DatabaseService } from '@app/modules/database/database.service';
import { guardedOperation } from '@app/modules/database/guarded-operation';
import type { HistoryEntry } from '@app/modules/thresholds/domain/history';
import type { Threshold, ThresholdChanges } from '@app/modules/thresholds/domain/threshold';
import {
  ThresholdRepository,
  type IdempotentCreate,
  type ImportPlan,
  type StoreTransaction,
} from '@app/modules/thresholds/persistence/threshold.repository';
import type {
  ConditionalWrite,
  IdempotencyClaim,
  NewThreshold,
  WriteContext,
} from '@app/modules/thresholds/domain/writes';

/**
 * Puts the database circuit breaker in front of a store: while the database is known down,
 * every call fails at once with the domain's `UnavailableError` (503, `Retry-After`) instead of
 * trying a connection; a connection failure during a call marks the database down. Each call's
 * duration is recorded in `db_query_duration_seconds{operation,outcome}`.
 */
export class GuardedThresholdRepository extends ThresholdRepository {
  constructor(
    private readonly inner: ThresholdRepository,
    private readonly database: Pick<DatabaseService, 'run'>,
    private readonly queryDuration?: Pick<Histogram<'operation' | 'outcome'>, 'observe'>,
  ) {
    super();
  }

  findAll(): Promise<Threshold[]> {
    return this.guard('findAll', () => this.inner.findAll());
  }

  findById(id: string): Promise<Threshold | null> {
    return this.guard('findById', () => this.inner.findById(id));
  }

  findByIds(ids: readonly string[]): Promise<Threshold[]> {
    return this.guard('findByIds', () => this.inner.findByIds(ids));
  }

  create(input: NewThreshold, ctx: WriteContext, idempotency?: IdempotencyClaim): Promise<Threshold> {
    return this.guard('create', () => this.inner.create(input, ctx, idempotency));
  }

  findIdempotentCreate(actor: string, key: string): Promise<IdempotentCreate | null> {
    return this.guard('findIdempotentCreate', () => this.inner.findIdempotentCreate(actor, key));
  }

  forgetIdempotencyKeys(before: Date): Promise<number> {
    return this.guard('forgetIdempotencyKeys', () => this.inner.forgetIdempotencyKeys(before));
  }

  update(id: string, changes: ThresholdChanges, ctx: ConditionalWrite): Promise<Threshold> {
    return this.guard('update', () => this.inner.update(id, changes, ctx));
  }

  delete(id: string, ctx: ConditionalWrite): Promise<Threshold> {
    return this.guard('delete', () => this.inner.delete(id, ctx));
  }

  applyImport(
    plan: ImportPlan,
    ctx: WriteContext,
    alsoInTransaction?: (tx: StoreTransaction) => Promise<void>,
  ): Promise<void> {
    return this.guard('applyImport', () => this.inner.applyImport(plan, ctx, alsoInTransaction));
  }

  history(id: string): Promise<HistoryEntry[]> {
    return this.guard('history', () => this.inner.history(id));
  }

  storedWithTrailsSince(after: Date): Promise<{ stored: Threshold[]; trails: HistoryEntry[] }> {
    return this.guard('storedWithTrailsSince', () => this.inner.storedWithTrailsSince(after));
  }

  revision(): Promise<string> {
    return this.guard('revision', () => this.inner.revision());
  }

  private guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guardedOperation(this.database, this.queryDuration, operation, work);
  }
}
