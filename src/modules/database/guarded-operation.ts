import type { Histogram } from 'prom-client';
import { DatabaseUnavailableError, type DatabaseService } from '@app/modules/database/database.service';
import { UnavailableError } from '@app/modules/thresholds/domain/errors';

/** How long clients are told to wait before retrying a write while the database is down. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * One store operation behind the database's circuit breaker, timed in `db_query_duration_seconds`:
 * with the database down it is the domain's `UnavailableError` (a `503` with `Retry-After`).
 */
export async function guardedOperation<T>(
  database: Pick<DatabaseService, 'run'>,
  queryDuration: Pick<Histogram<'operation' | 'outcome'>, 'observe'> | undefined,
  operation: string,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let outcome = 'ok';
  try {
    return await database.run(work);
  } catch (error) {
    outcome = error instanceof DatabaseUnavailableError ? 'unavailable' : 'error';
    if (error instanceof DatabaseUnavailableError) throw new UnavailableError(undefined, RETRY_AFTER_SECONDS);
    throw error;
  } finally {
    queryDuration?.observe({ operation, outcome }, (performance.now() - started) / 1000);
  }
}
