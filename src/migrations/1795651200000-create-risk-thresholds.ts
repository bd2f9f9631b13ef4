import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `risk_thresholds` table (CONTRACT §2), with the rules the database itself enforces. */
export class CreateRiskThresholds1795651200000 implements MigrationInterface {
  name = 'CreateRiskThresholds1795651200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "risk_thresholds" (
        "id" uuid NOT NULL,
        "name" character varying(255) NOT NULL,
        "description" character varying(2000),
        "category" character varying(32) NOT NULL,
        "industry_code" character varying(20),
        "business_type" character varying(100),
        "risk_levels" jsonb NOT NULL,
        "is_default" boolean NOT NULL DEFAULT false,
        "is_active" boolean NOT NULL DEFAULT true,
        "priority" integer NOT NULL DEFAULT '0',
        "metadata" jsonb,
        "version" integer NOT NULL DEFAULT '1',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_by" character varying(255) NOT NULL,
        "last_modified_by" character varying(255) NOT NULL,
        CONSTRAINT "PK_risk_thresholds" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_risk_thresholds_category" CHECK (category IN ('financial', 'operational', 'regulatory', 'reputational', 'cybersecurity', 'compliance', 'strategic', 'other')),
        CONSTRAINT "CHK_risk_thresholds_industry_code" CHECK (industry_code ~ '^[A-Za-z0-9]{1,20}$'),
        CONSTRAINT "CHK_risk_thresholds_priority" CHECK (priority BETWEEN -1000000 AND 1000000),
        CONSTRAINT "CHK_risk_thresholds_version" CHECK (version >= 1),
        CONSTRAINT "CHK_risk_thresholds_risk_levels" CHECK (
          jsonb_typeof(risk_levels) = 'object'
          AND (risk_levels - ARRAY['low', 'medium', 'high', 'critical']) = '{}'::jsonb
          AND CASE
            WHEN jsonb_typeof(risk_levels -> 'low') = 'number'
              AND jsonb_typeof(risk_levels -> 'medium') = 'number'
              AND jsonb_typeof(risk_levels -> 'high') = 'number'
              AND jsonb_typeof(risk_levels -> 'critical') = 'number'
            THEN (risk_levels ->> 'low')::numeric >= 0
              AND (risk_levels ->> 'low')::numeric < (risk_levels ->> 'medium')::numeric
              AND (risk_levels ->> 'medium')::numeric < (risk_levels ->> 'high')::numeric
              AND (risk_levels ->> 'high')::numeric < (risk_levels ->> 'critical')::numeric
              AND (risk_levels ->> 'critical')::numeric <= 100
            ELSE false
          END
        )
      )
    `);
    await q.query(`CREATE INDEX "IDX_risk_thresholds_category_active" ON "risk_thresholds" ("category", "is_active")`);
    await q.query(`CREATE INDEX "IDX_risk_thresholds_industry_code" ON "risk_thresholds" ("industry_code")`);
    await q.query(`CREATE INDEX "IDX_risk_thresholds_priority" ON "risk_thresholds" ("priority")`);
    // At most one active default per category.
    await q.query(
      `CREATE UNIQUE INDEX "UQ_risk_thresholds_active_default" ON "risk_thresholds" ("category") WHERE is_default AND is_active`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "risk_thresholds"`);
  }
}
