import type { PendingSignIn, StoredSession } from '@app/modules/auth/sessions/session';
import { SessionStore } from '@app/modules/auth/sessions/session.store';

/** Provider sign-ins in progress kept at most (each holds its return_to for 10 minutes); the oldest give way. */
const MAX_PENDING = 10_000;

/** Sessions in this process (memory storage): lost at restart, like everything else there. */
export class InMemorySessionStore extends SessionStore {
  private readonly sessions = new Map<string, StoredSession>();
  private readonly pending = new Map<string, PendingSignIn>();

  insert(session: StoredSession): Promise<void> {
    this.sessions.set(session.idHash, { ...session });
    return Promise.resolve();
  }

  find(idHash: string): Promise<StoredSession | undefined> {
    const found = this.sessions.get(idHash);
    return Promise.resolve(found ? { ...found } : undefined);
  }

  touch(idHash: string, lastSeenAt: Date): Promise<void> {
    const found = this.sessions.get(idHash);
    if (found) found.lastSeenAt = lastSeenAt;
    return Promise.resolve();
  }

  delete(idHash: string): Promise<boolean> {
    return Promise.resolve(this.sessions.delete(idHash));
  }

  insertPending(pending: PendingSignIn): Promise<void> {
    // Full: the oldest sign-in in progress gives way (a flood cannot lock the newest out).
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(pending.idHash, { ...pending });
    return Promise.resolve();
  }

  takePending(idHash: string): Promise<PendingSignIn | undefined> {
    const found = this.pending.get(idHash);
    this.pending.delete(idHash);
    return Promise.resolve(found);
  }

  sweep(now: Date, idleMs: number): Promise<number> {
    let swept = 0;
    for (const [id, s] of this.sessions) {
      if (s.expiresAt <= now || s.lastSeenAt.getTime() + idleMs <= now.getTime()) {
        this.sessions.delete(id);
        swept++;
      }
    }
    for (const [id, p] of this.pending) {
      if (p.expiresAt <= now) {
        this.pending.delete(id);
        swept++;
      }
    }
    return Promise.resolve(swept);
  }
}
