import { SYSTEM_ACTOR, type Category, type Threshold } from './threshold';

interface SeedRow {
  id: string;
  name: string;
  category: Category;
  industryCode: string | null;
  levels: [number, number, number, number];
  isDefault: boolean;
  priority: number;
}

/**
 * The seed thresholds of CONTRACT §2.3. Their ids are fixed so that every store (memory now,
 * the Postgres seed migration later) holds the same rows.
 */
const SEED_ROWS: readonly SeedRow[] = [
  {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'Financial default',
    category: 'financial',
    industryCode: null,
    levels: [25, 50, 75, 90],
    isDefault: true,
    priority: 0,
  },
  {
    id: '00000000-0000-4000-8000-000000000002',
    name: 'Operational default',
    category: 'operational',
    industryCode: null,
    levels: [20, 45, 70, 85],
    isDefault: true,
    priority: 0,
  },
  {
    id: '00000000-0000-4000-8000-000000000003',
    name: 'Regulatory default',
    category: 'regulatory',
    industryCode: null,
    levels: [30, 55, 80, 95],
    isDefault: true,
    priority: 0,
  },
  {
    id: '00000000-0000-4000-8000-000000000004',
    name: 'Reputational default',
    category: 'reputational',
    industryCode: null,
    levels: [20, 45, 75, 90],
    isDefault: true,
    priority: 0,
  },
  {
    id: '00000000-0000-4000-8000-000000000005',
    name: 'Cybersecurity default',
    category: 'cybersecurity',
    industryCode: null,
    levels: [15, 40, 75, 90],
    isDefault: true,
    priority: 0,
  },
  {
    id: '00000000-0000-4000-8000-000000000006',
    name: 'Financial - finance and insurance (NAICS 52)',
    category: 'financial',
    industryCode: '52',
    levels: [30, 55, 80, 90],
    isDefault: false,
    priority: 0,
  },
  {
    id: '00000000-0000-4000-8000-000000000007',
    name: 'Regulatory - finance and insurance (NAICS 52)',
    category: 'regulatory',
    industryCode: '52',
    levels: [35, 60, 85, 95],
    isDefault: false,
    priority: 0,
  },
  {
    id: '00000000-0000-4000-8000-000000000008',
    name: 'Cybersecurity - information (NAICS 54)',
    category: 'cybersecurity',
    industryCode: '54',
    levels: [10, 35, 70, 85],
    isDefault: false,
    priority: 0,
  },
  {
    id: '00000000-0000-4000-8000-000000000009',
    name: 'Regulatory - health care (NAICS 62)',
    category: 'regulatory',
    industryCode: '62',
    levels: [40, 65, 85, 95],
    isDefault: false,
    priority: 10,
  },
];

/** Fresh seed thresholds stamped with `now`. */
export function seedThresholds(now: Date): Threshold[] {
  return SEED_ROWS.map((row) => ({
    id: row.id,
    name: row.name,
    description: null,
    category: row.category,
    industryCode: row.industryCode,
    businessType: null,
    riskLevels: { low: row.levels[0], medium: row.levels[1], high: row.levels[2], critical: row.levels[3] },
    isDefault: row.isDefault,
    isActive: true,
    priority: row.priority,
    metadata: null,
    version: 1,
    createdAt: new Date(now.getTime()),
    updatedAt: new Date(now.getTime()),
    createdBy: SYSTEM_ACTOR,
    lastModifiedBy: SYSTEM_ACTOR,
  }));
}
