import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The seed thresholds of CONTRACT §2.3, inserted once (never re-created on start). The ids are the
 * same as the in-memory store's seeds. Written out here, not imported, so this migration never
 * changes after it has run somewhere.
 */
const SEEDS: [
  id: string,
  name: string,
  category: string,
  industryCode: string | null,
  levels: number[],
  isDefault: boolean,
  priority: number,
][] = [
  ['00000000-0000-4000-8000-000000000001', 'Financial default', 'financial', null, [25, 50, 75, 90], true, 0],
  ['00000000-0000-4000-8000-000000000002', 'Operational default', 'operational', null, [20, 45, 70, 85], true, 0],
  ['00000000-0000-4000-8000-000000000003', 'Regulatory default', 'regulatory', null, [30, 55, 80, 95], true, 0],
  ['00000000-0000-4000-8000-000000000004', 'Reputational default', 'reputational', null, [20, 45, 75, 90], true, 0],
  ['00000000-0000-4000-8000-000000000005', 'Cybersecurity default', 'cybersecurity', null, [15, 40, 75, 90], true, 0],
  [
    '00000000-0000-4000-8000-000000000006',
    'Financial - finance and insurance (NAICS 52)',
    'financial',
    '52',
    [30, 55, 80, 90],
    false,
    0,
  ],
  [
    '00000000-0000-4000-8000-000000000007',
    'Regulatory - finance and insurance (NAICS 52)',
    'regulatory',
    '52',
    [35, 60, 85, 95],
    false,
    0,
  ],
  [
    '00000000-0000-4000-8000-000000000008',
    'Cybersecurity - information (NAICS 54)',
    'cybersecurity',
    '54',
    [10, 35, 70, 85],
    false,
    0,
  ],
  [
    '00000000-0000-4000-8000-000000000009',
    'Regulatory - health care (NAICS 62)',
    'regulatory',
    '62',
    [40, 65, 85, 95],
    false,
    10,
  ],
];

export class SeedRiskThresholds1795651200002 implements MigrationInterface {
  name = 'SeedRiskThresholds1795651200002';

  async up(q: QueryRunner): Promise<void> {
    for (const [id, name, category, industryCode, [low, medium, high, critical], isDefault, priority] of SEEDS) {
      await q.query(
        `INSERT INTO "risk_thresholds" ("id", "name", "category", "industry_code", "risk_levels", "is_default", "priority",
           "created_at", "updated_at", "created_by", "last_modified_by")
         VALUES ($1, $2, $3, $4, $5, $6, $7, date_trunc('milliseconds', now()), date_trunc('milliseconds', now()), 'system', 'system')
         ON CONFLICT ("id") DO NOTHING`,
        [id, name, category, industryCode, JSON.stringify({ low, medium, high, critical }), isDefault, priority],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "risk_thresholds" WHERE "id" = ANY($1::uuid[])`, [SEEDS.map(([id]) => id)]);
  }
}
