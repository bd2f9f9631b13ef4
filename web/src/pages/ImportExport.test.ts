import { describe, expect, it } from 'vitest';
import type { Threshold } from '../api';
import { importDifferences, sameAsChecked } from './ImportExport';

const stored = (id: string, name: string, version: number, high = 75): Threshold =>
  ({
    id,
    name,
    version,
    description: null,
    category: 'financial',
    industry_code: '52',
    business_type: null,
    risk_levels: { low: 25, medium: 50, high, critical: 90 },
    is_default: false,
    is_active: true,
    priority: 0,
    metadata: null,
  }) as Threshold;

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe('what an import would do, as the console lists it', () => {
  it('updates with their differences, leaves identical items out, creates the rest, deletes in replace mode', () => {
    const now = [stored(A, 'A', 3), stored(B, 'B', 1)];
    const file = [
      { ...stored(A, 'A', 2, 70) },
      { name: 'New', category: 'financial', risk_levels: { low: 1, medium: 2, high: 3, critical: 4 } },
    ];
    const upsert = importDifferences(now, file, 'upsert');
    expect(upsert.differences.map((d) => [d.op, d.name])).toEqual([
      ['update', 'A'],
      ['create', 'New'],
    ]);
    expect(upsert.differences[0].lines).toEqual(['high 75 → 70']);
    // The file was made from version 2: importing undoes what came since.
    expect(upsert.differences[0].note).toMatch(/version 2; the threshold is at version 3/);
    const replace = importDifferences(now, file, 'replace');
    expect(replace.differences.map((d) => d.op)).toEqual(['update', 'create', 'delete']);
    expect(importDifferences(now, [stored(B, 'B', 1)], 'upsert')).toEqual({ differences: [], unchanged: 1 });
  });
});

describe('a proposal is what was shown', () => {
  const checked = {
    differences: [
      { op: 'update' as const, id: A, name: 'A', lines: [] },
      { op: 'create' as const, id: undefined, name: 'New', lines: [] },
    ],
    versions: new Map([[A, 3]]),
  };
  const draft = [
    { op: 'update', threshold_id: A, base_version: 3 },
    { op: 'create', threshold_id: B, base_version: null },
  ];

  it('holds when every item has the action shown and the version read', () => {
    expect(sameAsChecked(draft, checked)).toBe(true);
  });

  it('fails when a base moved, an action differs (a deleted threshold re-created) or an item is extra', () => {
    expect(sameAsChecked([{ ...draft[0], base_version: 4 }, draft[1]], checked)).toBe(false);
    expect(sameAsChecked([{ op: 'create', threshold_id: A, base_version: null }, draft[1]], checked)).toBe(false);
    expect(sameAsChecked([draft[0], { op: 'delete', threshold_id: B, base_version: 1 }], checked)).toBe(false);
    expect(sameAsChecked([draft[0]], checked)).toBe(false);
  });
});
