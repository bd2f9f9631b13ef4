import { Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Role } from '@app/modules/auth/api-keys';
import { mappedRole } from '@app/modules/auth/oidc/role-map';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';
import {
  expiryOf,
  hashSecret,
  newSecret,
  SIGN_IN_TTL_MS,
  type PendingSignIn,
  type SessionLifetimes,
  type SignInMethod,
  type StoredSession,
} from '@app/modules/auth/sessions/session';
import { SessionStore } from '@app/modules/auth/sessions/session.store';
import { AppConfig, type OidcConfig } from '@app/modules/config/app-config';

/** The time sessions are measured by: the system clock, replaced by tests that move it. */
@Injectable()
export class SessionClock {
  now(): number {
    return Date.now();
  }
}

/** How often expired sessions and abandoned sign-ins are deleted (at a sign-in or its start, at most this often). */
const SWEEP_EVERY_MS = 10 * 60_000;

/** What `GET /v1/session` answers (CONTRACT §9). */
export interface SessionView {
  principal: string;
  role: Role;
  method: SignInMethod;
  csrf_token: string;
  expires_at: string;
}

/**
 * Opens, resolves and ends people's sessions. The browser holds an opaque id; the store holds its
 * hash, the principal, the role and the CSRF token. A session ends after SESSION_IDLE_TIMEOUT_MS
 * without a request or SESSION_ABSOLUTE_TIMEOUT_MS after sign-in, whichever comes first; use moves
 * the idle end (written at most every minute, so a busy console is not a write per request).
 */
@Injectable()
export class SessionsService {
  private readonly lifetimes: SessionLifetimes;
  /** `lastSeenAt` is written when it is older than this. */
  private readonly touchEveryMs: number;
  private lastSweep = 0;
  private readonly logger = new Logger('Sessions');
  private readonly oidc: OidcConfig | undefined;
  private readonly keySignIn: boolean;

  constructor(
    private readonly store: SessionStore,
    private readonly keys: ApiKeyRegistry,
    private readonly clock: SessionClock,
    config: AppConfig,
  ) {
    this.lifetimes = { idleMs: config.signIn.idleMs, absoluteMs: config.signIn.absoluteMs };
    this.touchEveryMs = Math.min(60_000, Math.floor(config.signIn.idleMs / 30));
    this.oidc = config.signIn.oidc;
    this.keySignIn = config.signIn.keySignIn;
  }

  /** A new session (a new id whatever the browser held before: no fixation), and its cookie's id. */
  async open(
    who: Pick<StoredSession, 'principal' | 'role' | 'method' | 'keySha256' | 'roleValues'>,
  ): Promise<{ id: string; session: StoredSession }> {
    const now = new Date(this.clock.now());
    const id = newSecret();
    const session: StoredSession = {
      idHash: hashSecret(id),
      principal: who.principal,
      role: who.role,
      method: who.method,
      ...(who.keySha256 === undefined ? {} : { keySha256: who.keySha256 }),
      ...(who.roleValues === undefined ? {} : { roleValues: who.roleValues }),
      csrfToken: newSecret(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.lifetimes.absoluteMs),
    };
    await this.store.insert(session);
    this.sweepNowAndThen(now);
    return { id, session };
  }

  /**
   * The live session of a cookie's id, its idle end moved; undefined when there is none, it
   * expired, or what it was opened with no longer gives a role. Its role is the one it would get
   * now: a key's session lives while that very key (its hash) is configured under the same name
   * and key sign-in is on, with the key's role; a provider session's role claim values are mapped
   * again through OIDC_ROLE_MAP, and it ends when they map to nothing, sign-in at the provider is
   * no longer configured, or an API key has taken the person's name.
   */
  async resolve(id: string): Promise<StoredSession | undefined> {
    const idHash = hashSecret(id);
    const session = await this.store.find(idHash);
    if (!session) return undefined;
    const now = this.clock.now();
    if (expiryOf(session, this.lifetimes).getTime() <= now) {
      await this.store.delete(idHash);
      return undefined;
    }
    const role = this.roleNow(session);
    if (!role) {
      await this.store.delete(idHash);
      return undefined;
    }
    session.role = role;
    if (now - session.lastSeenAt.getTime() >= this.touchEveryMs) {
      session.lastSeenAt = new Date(now);
      await this.store.touch(idHash, session.lastSeenAt);
    }
    return session;
  }

  private roleNow(session: StoredSession): Role | undefined {
    if (session.method === 'oidc') {
      // A key that took the person's name since (four-eyes and the audit trail compare names) ends it too.
      if (!this.oidc || this.keys.keys.some((k) => k.name === session.principal)) return undefined;
      return mappedRole(session.roleValues ?? [], this.oidc.roleMap);
    }
    if (!this.keySignIn) return undefined;
    const hash = Buffer.from(session.keySha256 ?? '', 'hex');
    const key = this.keys.keys.find((k) => k.sha256.length === hash.length && timingSafeEqual(k.sha256, hash));
    // The same key under another name would be a second principal for one key holder.
    return key?.name === session.principal ? key.role : undefined;
  }

  /** Ends the session of a cookie's id, on every replica (they all read the store). */
  async end(id: string): Promise<void> {
    await this.store.delete(hashSecret(id));
  }

  view(session: StoredSession): SessionView {
    return {
      principal: session.principal,
      role: session.role,
      method: session.method,
      csrf_token: session.csrfToken,
      expires_at: expiryOf(session, this.lifetimes).toISOString(),
    };
  }

  /** Seconds until the absolute end: the cookie's Max-Age. */
  cookieMaxAge(session: StoredSession): number {
    return Math.ceil((session.expiresAt.getTime() - this.clock.now()) / 1000);
  }

  /** Keeps a provider sign-in's secrets until its callback; answers the id for the browser's cookie. */
  async startSignIn(secrets: Omit<PendingSignIn, 'idHash' | 'expiresAt'>): Promise<string> {
    const id = newSecret();
    await this.store.insertPending({
      ...secrets,
      idHash: hashSecret(id),
      expiresAt: new Date(this.clock.now() + SIGN_IN_TTL_MS),
    });
    this.sweepNowAndThen(new Date(this.clock.now()));
    return id;
  }

  /** The sign-in a browser's cookie started, once (a second callback finds nothing); undefined past its time. */
  async takeSignIn(id: string): Promise<PendingSignIn | undefined> {
    const pending = await this.store.takePending(hashSecret(id));
    return pending && pending.expiresAt.getTime() > this.clock.now() ? pending : undefined;
  }

  private sweepNowAndThen(now: Date): void {
    if (now.getTime() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now.getTime();
    this.store.sweep(now, this.lifetimes.idleMs).catch((error: unknown) => {
      this.logger.warn(`could not delete expired sessions: ${(error as Error).message}`);
    });
  }
}
