import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal, Role } from '@app/modules/auth/api-keys';

/** How a person signed in: through the organisation's OpenID provider, or with their own API key. */
export type SignInMethod = 'oidc' | 'api_key';

/**
 * A session as stored: never the id the browser holds, only its SHA-256 (a copy of the table
 * signs nobody in). `lastSeenAt` moves with use (idle expiry), `expiresAt` never (absolute).
 */
export interface StoredSession {
  idHash: string;
  principal: string;
  role: Role;
  method: SignInMethod;
  /** The SHA-256 of the API key a session was opened with: it lives only while that very key is configured. */
  keySha256?: string;
  /** A provider session's role claim values: its role is mapped again on every request (OIDC_ROLE_MAP may change). */
  roleValues?: string[];
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The absolute end (created + SESSION_ABSOLUTE_TIMEOUT_MS). */
  expiresAt: Date;
}

/** A sign-in through the provider, between the redirect and the callback (10 minutes at most). */
export interface PendingSignIn {
  /** SHA-256 of the id in the browser's sign-in cookie: the callback must come from that browser. */
  idHash: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  expiresAt: Date;
}

export interface SessionLifetimes {
  idleMs: number;
  absoluteMs: number;
}

/** The session cookie: `__Host-` (Secure, Path=/, no Domain: this origin only). */
export const SESSION_COOKIE = '__Host-rts-session';
/** The cookie binding a provider sign-in to the browser that started it. */
export const SIGN_IN_COOKIE = '__Host-rts-sign-in';
/** How long a started provider sign-in may take. */
export const SIGN_IN_TTL_MS = 10 * 60_000;

/** A new opaque secret: 32 random bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether two secrets are equal, in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** When the session ends if unused from now on: idle expiry, bounded by the absolute one. */
export function expiryOf(session: Pick<StoredSession, 'lastSeenAt' | 'expiresAt'>, lifetimes: SessionLifetimes): Date {
  return new Date(Math.min(session.lastSeenAt.getTime() + lifetimes.idleMs, session.expiresAt.getTime()));
}

export function principalOf(session: StoredSession): Principal {
  return { name: session.principal, role: session.role };
}

/** The value of one cookie in a `Cookie` header (the first of that name), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    // Our values are base64url: anything else is not ours.
    return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** A `Set-Cookie` value for a `__Host-` cookie: HttpOnly, Secure, SameSite=Lax, Path=/. */
export function setCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

/** A `Set-Cookie` value that removes the cookie. */
export function clearCookie(name: string): string {
  return setCookie(name, '', 0);
}
