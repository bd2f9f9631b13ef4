import type { Histogram } from 'prom-client';
import type { DatabaseService } from '@app/modules/database/database.service';
import { guardedOperation } from '@app/modules/database/guarded-operation';
import { UnavailableError } from '@app/modules/thresholds/domain/errors';
import type { PendingSignIn, StoredSession } from '@app/modules/auth/sessions/session';
import { SessionStore } from '@app/modules/auth/sessions/session.store';

/**
 * The session store behind the same circuit breaker as the other stores: with the database down,
 * a signed-in request is a `503` with `Retry-After` (never a `500`, never let through), and each
 * operation is timed in `db_query_duration_seconds`.
 */
export class GuardedSessionStore extends SessionStore {
  constructor(
    private readonly inner: SessionStore,
    private readonly database: Pick<DatabaseService, 'run'>,
    private readonly queryDuration?: Pick<Histogram<'operation' | 'outcome'>, 'observe'>,
  ) {
    super();
  }

  insert(session: StoredSession): Promise<void> {
    return this.guard('sessions.insert', () => this.inner.insert(session));
  }

  find(idHash: string): Promise<StoredSession | undefined> {
    return this.guard('sessions.find', () => this.inner.find(idHash));
  }

  touch(idHash: string, lastSeenAt: Date): Promise<void> {
    return this.guard('sessions.touch', () => this.inner.touch(idHash, lastSeenAt));
  }

  delete(idHash: string): Promise<boolean> {
    return this.guard('sessions.delete', () => this.inner.delete(idHash));
  }

  insertPending(pending: PendingSignIn): Promise<void> {
    return this.guard('sessions.insertPending', () => this.inner.insertPending(pending));
  }

  takePending(idHash: string): Promise<PendingSignIn | undefined> {
    return this.guard('sessions.takePending', () => this.inner.takePending(idHash));
  }

  sweep(now: Date, idleMs: number): Promise<number> {
    return this.guard('sessions.sweep', () => this.inner.sweep(now, idleMs));
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await guardedOperation(this.database, this.queryDuration, operation, work);
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      throw new UnavailableError(
        'Sessions are kept in the database, which is unavailable: signing in and signed-in requests wait for it (API keys keep reading). Retry later.',
        error.retryAfterSeconds,
      );
    }
  }
}
