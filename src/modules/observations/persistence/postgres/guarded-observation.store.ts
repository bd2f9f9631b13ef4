import type { Histogram } from 'prom-client';
import type { DatabaseService } from '@app/modules/database/database.service';
import { guardedOperation } from '@app/modules/database/guarded-operation';
import type { Observation, WindowObservation } from '@app/modules/observations/domain/observation';
import { ObservationStore, type ObservationQuery } from '@app/modules/observations/persistence/observation.store';

/**
 * The observation store behind the same circuit breaker as the other stores: with the database
 * down, a distribution or impact question is a `503` with `Retry-After` (CONTRACT §4), a flush
 * fails fast and keeps its counts; each operation is timed in `db_query_duration_seconds`.
 */
export class GuardedObservationStore extends ObservationStore {
  constructor(
    private readonly inner: ObservationStore,
    private readonly database: Pick<DatabaseService, 'run'>,
    private readonly queryDuration?: Pick<Histogram<'operation' | 'outcome'>, 'observe'>,
  ) {
    super();
  }

  add(observations: readonly Observation[]): Promise<void> {
    return this.guard('observations.add', () => this.inner.add(observations));
  }

  window(query: ObservationQuery): Promise<WindowObservation[]> {
    return this.guard('observations.window', () => this.inner.window(query));
  }

  prune(before: string): Promise<string[]> {
    return this.guard('observations.prune', () => this.inner.prune(before));
  }

  prepare(from: string, to: string): Promise<void> {
    return this.guard('observations.prepare', () => this.inner.prepare(from, to));
  }

  private guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guardedOperation(this.database, this.queryDuration, operation, work);
  }
}
