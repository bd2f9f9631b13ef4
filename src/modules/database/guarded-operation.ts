import type { Histogram } from 'prom-client';
import { DatabaseUnavailableError, type DatabaseService } from '@app/modules/database/database.service';
import { UnavailableError } from '@app/modules/thresholds/domain/errors';

/** How long clients are told to wait before retrying a write while the database is down. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * One store operation behind the database's circuit breaker, timed in `db_query_duration_seconds`:
 * with the database down, or a statement cancelled by its timeout under load, it is the domain's
 * `UnavailableError` (a `503` with `Retry-After`), not an unexpected error.
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
    outcome = error instanceof DatabaseUnavailableError ? 'unavailable' : timedOut(error) ? 'timeout' : 'error';
    if (error instanceof DatabaseUnavailableError) throw new UnavailableError(undefined, RETRY_AFTER_SECONDS);
    if (timedOut(error)) {
      throw new UnavailableError(
        'The database did not answer in time (DATABASE_STATEMENT_TIMEOUT_MS); nothing was written. Retry later.',
        RETRY_AFTER_SECONDS,
      );
    }
    throw error;
  } finally {
    queryDuration?.observe({ operation, outcome }, (performance.now() - started) / 1000);
  }
}

/** Whether PostgreSQL cancelled the statement (SQLSTATE 57014: statement_timeout, or a cancel request). */
function timedOut(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '57014';
}
