import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A change request keeps the impact report its revision under review was sent with (CONTRACT
 * §8.3): what its reviewers saw, whatever happens to the thresholds or observations later.
 */
export class ChangeRequestImpact1795651200008 implements MigrationInterface {
  name = 'ChangeRequestImpact1795651200008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "change_requests" ADD "impact" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "change_requests" DROP COLUMN "impact"`);
  }
}
