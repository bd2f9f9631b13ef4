import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotent creates: the first answer to (actor, Idempotency-Key), kept 24 h, written with the create. */
export class CreateIdempotencyKeys1795651200004 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1795651200004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "idempotency_keys" (
        "actor" character varying(255) NOT NULL,
        "key" character varying(255) NOT NULL,
        "fingerprint" character varying(64) NOT NULL,
        "threshold" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("actor", "key")
      )
    `);
    await q.query(`CREATE INDEX "IDX_idempotency_keys_created_at" ON "idempotency_keys" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "idempotency_keys"`);
  }
}
