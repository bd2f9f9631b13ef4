import type { Histogram } from 'prom-client';
import type { ChangeRequest, ChangeState } from '@app/modules/changes/domain/change-request';
import {
  ChangeRequestRepository,
  type ChangeRequestFilter,
  type ChangeRequestPosition,
  type StoredChangeRequest,
} from '@app/modules/changes/persistence/change-request.repository';
import type { DatabaseService } from '@app/modules/database/database.service';
import { guardedOperation } from '@app/modules/database/guarded-operation';
import type { StoreTransaction } from '@app/modules/thresholds/persistence/threshold.repository';

/**
 * The change request store behind the same circuit breaker as the threshold store: with the
 * database down, every operation is a `503` with `Retry-After` (CONTRACT §4), and each is timed
 * in `db_query_duration_seconds`. A save inside an apply's transaction is already guarded by it.
 */
export class GuardedChangeRequestRepository extends ChangeRequestRepository {
  constructor(
    private readonly inner: ChangeRequestRepository,
    private readonly database: Pick<DatabaseService, 'run'>,
    private readonly queryDuration?: Pick<Histogram<'operation' | 'outcome'>, 'observe'>,
  ) {
    super();
  }

  insert(request: ChangeRequest): Promise<StoredChangeRequest> {
    return this.guard('changeRequest.insert', () => this.inner.insert(request));
  }

  findById(id: string): Promise<StoredChangeRequest | null> {
    return this.guard('changeRequest.findById', () => this.inner.findById(id));
  }

  list(filter: ChangeRequestFilter, limit: number, after?: ChangeRequestPosition): Promise<StoredChangeRequest[]> {
    return this.guard('changeRequest.list', () => this.inner.list(filter, limit, after));
  }

  save(next: ChangeRequest, expected: number, tx?: StoreTransaction): Promise<number | null> {
    if (tx) return this.inner.save(next, expected, tx);
    return this.guard('changeRequest.save', () => this.inner.save(next, expected));
  }

  countByState(): Promise<Partial<Record<ChangeState, number>>> {
    return this.guard('changeRequest.countByState', () => this.inner.countByState());
  }

  due(now: Date, limit: number): Promise<StoredChangeRequest[]> {
    return this.guard('changeRequest.due', () => this.inner.due(now, limit));
  }

  claim(id: string, expected: number, until: Date): Promise<number | null> {
    return this.guard('changeRequest.claim', () => this.inner.claim(id, expected, until));
  }

  private guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guardedOperation(this.database, this.queryDuration, operation, work);
  }
}
