import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Score observations (CONTRACT §8.1): how many times each score was classified per UTC day and
 * matching key, and nothing else. Partitioned by month on `day`: windows read only their months,
 * retention drops whole partitions. The partitions themselves are created by the service (when a
 * month is first written, and ahead by the retention job), so none is created here.
 */
export class CreateScoreObservations1795651200007 implements MigrationInterface {
  name = 'CreateScoreObservations1795651200007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "score_observations" (
        "day" date NOT NULL,
        "category" character varying(32) NOT NULL,
        "industry_code" character varying(20) NOT NULL,
        -- text: a business type of 100 characters can grow when lower-cased ('İ' is two code units).
        "business_type" text NOT NULL,
        "score" numeric(5,2) NOT NULL,
        "count" bigint NOT NULL,
        CONSTRAINT "PK_score_observations" PRIMARY KEY ("day", "category", "industry_code", "business_type", "score"),
        CONSTRAINT "CHK_score_observations_score" CHECK ("score" >= 0 AND "score" <= 100),
        CONSTRAINT "CHK_score_observations_count" CHECK ("count" > 0)
      ) PARTITION BY RANGE ("day")
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // Dropping the partitioned table drops its partitions.
    await q.query(`DROP TABLE "score_observations"`);
  }
}
