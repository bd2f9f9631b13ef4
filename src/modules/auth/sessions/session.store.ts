import type { PendingSignIn, StoredSession } from '@app/modules/auth/sessions/session';

/**
 * Where sessions live: PostgreSQL (every replica reads the same rows, so an ended session is
 * refused everywhere at once), or this process's memory with memory storage.
 */
export abstract class SessionStore {
  abstract insert(session: StoredSession): Promise<void>;
  abstract find(idHash: string): Promise<StoredSession | undefined>;
  /** Moves `lastSeenAt` (idle expiry) of a session that still exists. */
  abstract touch(idHash: string, lastSeenAt: Date): Promise<void>;
  /** Ends a session; answers whether there was one. */
  abstract delete(idHash: string): Promise<boolean>;
  abstract insertPending(pending: PendingSignIn): Promise<void>;
  /** Takes a pending sign-in once: a second take of the same id finds nothing. */
  abstract takePending(idHash: string): Promise<PendingSignIn | undefined>;
  /** Deletes what expired before `now` (idle or absolute) and pending sign-ins past their time. */
  abstract sweep(now: Date, idleMs: number): Promise<number>;
}
