import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail keeps the server's own request id beside the caller's: `request_id` is the
 * caller's `X-Request-Id` when it sent one (any client may reuse another's), `server_request_id`
 * is unique to the request that wrote the row. Rows written before this migration have none.
 */
export class HistoryServerRequestId1795651200005 implements MigrationInterface {
  name = 'HistoryServerRequestId1795651200005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "risk_threshold_history" ADD "server_request_id" uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "risk_threshold_history" DROP COLUMN "server_request_id"`);
  }
}
