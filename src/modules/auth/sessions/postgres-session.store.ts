import type { DataSource } from 'typeorm';
import type { Role } from '@app/modules/auth/api-keys';
import type { PendingSignIn, SignInMethod, StoredSession } from '@app/modules/auth/sessions/session';
import { SessionStore } from '@app/modules/auth/sessions/session.store';

interface SessionRow {
  id_hash: string;
  principal: string;
  role: Role;
  method: SignInMethod;
  key_sha256: string | null;
  role_values: string[] | null;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

interface PendingRow {
  id_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  expires_at: Date;
}

/** Sessions in PostgreSQL (migration 1795651200009): one row each, read on every request that carries the cookie. */
export class PostgresSessionStore extends SessionStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async insert(s: StoredSession): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "sessions" ("id_hash", "principal", "role", "method", "key_sha256", "role_values", "csrf_token", "created_at", "last_seen_at", "expires_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        s.idHash,
        s.principal,
        s.role,
        s.method,
        s.keySha256 ?? null,
        s.roleValues === undefined ? null : JSON.stringify(s.roleValues),
        s.csrfToken,
        s.createdAt,
        s.lastSeenAt,
        s.expiresAt,
      ],
    );
  }

  async find(idHash: string): Promise<StoredSession | undefined> {
    const rows = await this.dataSource.query<SessionRow[]>(`SELECT * FROM "sessions" WHERE "id_hash" = $1`, [idHash]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      idHash: row.id_hash,
      principal: row.principal,
      role: row.role,
      method: row.method,
      ...(row.key_sha256 === null ? {} : { keySha256: row.key_sha256 }),
      ...(row.role_values === null ? {} : { roleValues: row.role_values }),
      csrfToken: row.csrf_token,
      createdAt: new Date(row.created_at),
      lastSeenAt: new Date(row.last_seen_at),
      expiresAt: new Date(row.expires_at),
    };
  }

  async touch(idHash: string, lastSeenAt: Date): Promise<void> {
    // Never backwards: two replicas touching at once keep the later time.
    await this.dataSource.query(
      `UPDATE "sessions" SET "last_seen_at" = $2 WHERE "id_hash" = $1 AND "last_seen_at" < $2`,
      [idHash, lastSeenAt],
    );
  }

  async delete(idHash: string): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown, number]>(`DELETE FROM "sessions" WHERE "id_hash" = $1`, [
      idHash,
    ]);
    return count > 0;
  }

  async insertPending(p: PendingSignIn): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "pending_sign_ins" ("id_hash", "state", "nonce", "code_verifier", "return_to", "expires_at")
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [p.idHash, p.state, p.nonce, p.codeVerifier, p.returnTo, p.expiresAt],
    );
  }

  async takePending(idHash: string): Promise<PendingSignIn | undefined> {
    // One statement: of two callbacks racing with the same cookie, one gets the row.
    const [rows] = await this.dataSource.query<[PendingRow[], number]>(
      `DELETE FROM "pending_sign_ins" WHERE "id_hash" = $1 RETURNING *`,
      [idHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      idHash: row.id_hash,
      state: row.state,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
      returnTo: row.return_to,
      expiresAt: new Date(row.expires_at),
    };
  }

  async sweep(now: Date, idleMs: number): Promise<number> {
    const [, sessions] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM "sessions" WHERE "expires_at" <= $1 OR "last_seen_at" <= $2`,
      [now, new Date(now.getTime() - idleMs)],
    );
    const [, pending] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM "pending_sign_ins" WHERE "expires_at" <= $1`,
      [now],
    );
    return sessions + pending;
  }
}
