import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People's sessions (CONTRACT §9), shared by every replica: a session ended on one is refused by
 * all at once. Only the SHA-256 of the cookie's id is stored. Provider sign-ins in progress keep
 * their `state`, `nonce` and PKCE verifier here between the redirect and the callback.
 */
export class CreateSessions1795651200009 implements MigrationInterface {
  name = 'CreateSessions1795651200009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "sessions" (
        "id_hash" character(64) NOT NULL,
        "principal" character varying(255) NOT NULL,
        "role" character varying(16) NOT NULL,
        "method" character varying(16) NOT NULL,
        "key_sha256" character(64),
        "role_values" jsonb,
        "csrf_token" character varying(64) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_sessions" PRIMARY KEY ("id_hash"),
        CONSTRAINT "CHK_sessions_role" CHECK ("role" IN ('reader', 'editor', 'admin')),
        CONSTRAINT "CHK_sessions_method" CHECK ("method" IN ('oidc', 'api_key'))
      )`);
    await q.query(`CREATE INDEX "IDX_sessions_expires_at" ON "sessions" ("expires_at")`);
    await q.query(`CREATE INDEX "IDX_sessions_last_seen_at" ON "sessions" ("last_seen_at")`);
    await q.query(`
      CREATE TABLE "pending_sign_ins" (
        "id_hash" character(64) NOT NULL,
        "state" character varying(128) NOT NULL,
        "nonce" character varying(128) NOT NULL,
        "code_verifier" character varying(128) NOT NULL,
        "return_to" character varying(2048) NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_pending_sign_ins" PRIMARY KEY ("id_hash")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "pending_sign_ins"`);
    await q.query(`DROP TABLE "sessions"`);
  }
}
