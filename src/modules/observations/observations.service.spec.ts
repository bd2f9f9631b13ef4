import fc from 'fast-check';
import type { ProposedItem } from '@app/modules/changes/domain/change-request';
import type { LevelCounts } from '@app/modules/observations/domain/impact';
import { scoreOf, type Observation } from '@app/modules/observations/domain/observation';
import { InMemoryObservationStore } from '@app/modules/observations/persistence/in-memory/in-memory-observation.store';
import { ObservationsService } from '@app/modules/observations/observations.service';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import { classify } from '@app/modules/thresholds/domain/classification';
import { matchThreshold } from '@app/modules/thresholds/domain/matching';
import type { Category, Level, RiskLevels, Threshold } from '@app/modules/thresholds/domain/threshold';
import { aThreshold } from '@test/support/builders';

const CATEGORIES: Category[] = ['financial', 'operational'];
const DAY = '2026-11-20';
const WINDOW = { from: '2026-11-01', to: '2026-11-30' };

// Cut-offs on the 2-decimal grid, clustered so that scores fall on, just below and just above them.
const bands: fc.Arbitrary<RiskLevels> = fc
  .uniqueArray(
    fc.integer({ min: 1, max: 40 }).map((h) => h * 2.5),
    { minLength: 4, maxLength: 4 },
  )
  .map((xs) => xs.sort((a, b) => a - b))
  .map(([low, medium, high, critical]) => ({ low, medium, high, critical }));
const code = fc.constantFrom(null, '52', '5221', '62');
const type = fc.constantFrom(null, 'bank', 'saas');
const threshold = fc
  .record({
    category: fc.constantFrom(...CATEGORIES),
    industryCode: code,
    businessType: type,
    riskLevels: bands,
    priority: fc.integer({ min: 0, max: 2 }),
    isDefault: fc.boolean(),
    isActive: fc.boolean(),
    second: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ second, ...t }) => aThreshold({ ...t, updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)) }));
/** At most one active default per category, as the store guarantees. */
const catalog = fc.array(threshold, { maxLength: 12 }).map((all) => {
  const seen = new Set<string>();
  return all.map((t) => {
    if (!(t.isDefault && t.isActive)) return t;
    if (seen.has(t.category)) return { ...t, isDefault: false };
    seen.add(t.category);
    return t;
  });
});
const observation: fc.Arbitrary<Observation> = fc.record({
  day: fc.constant(DAY),
  category: fc.constantFrom(...CATEGORIES),
  industryCode: fc.constantFrom('', '52', '5221', '52219', '6201', '7011'),
  businessType: fc.constantFrom('', 'bank', 'saas'),
  score: fc.oneof(
    fc.integer({ min: 0, max: 10_000 }),
    // On a cut-off's grid (every 2.5 points), or one hundredth either side of it.
    fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom(-1, 0, 1)).map(([h, d]) => h * 250 + d),
  ),
  count: fc.integer({ min: 1, max: 4 }),
});
/** A change: band moves, new (more specific, or default) thresholds, deactivations, defaults set or unset, priority changes, deletes. */
const change = (stored: Threshold[]): fc.Arbitrary<ProposedItem[]> => {
  const options: fc.Arbitrary<ProposedItem>[] = [
    threshold.map((t) => ({
      op: 'create' as const,
      thresholdId: t.id,
      baseVersion: null,
      threshold: t,
    })),
  ];
  if (stored.length > 0) {
    const target = fc.constantFrom(...stored);
    options.push(
      fc.tuple(target, bands).map(([t, riskLevels]) => ({
        op: 'update' as const,
        thresholdId: t.id,
        baseVersion: t.version,
        changes: { riskLevels },
      })),
      fc.tuple(target, fc.integer({ min: 0, max: 3 })).map(([t, priority]) => ({
        op: 'update' as const,
        thresholdId: t.id,
        baseVersion: t.version,
        changes: { priority },
      })),
      target.map((t) => ({
        op: 'update' as const,
        thresholdId: t.id,
        baseVersion: t.version,
        changes: { isActive: false },
      })),
      fc.tuple(target, fc.boolean()).map(([t, isDefault]) => ({
        op: 'update' as const,
        thresholdId: t.id,
        baseVersion: t.version,
        changes: { isDefault },
      })),
      target.map((t) => ({ op: 'delete' as const, thresholdId: t.id, baseVersion: t.version, threshold: null })),
    );
  }
  return fc
    .array(fc.oneof(...options), { minLength: 1, maxLength: 4 })
    .map((items) => items.filter((item, i) => items.findIndex((o) => o.thresholdId === item.thresholdId) === i));
};

/** The reference: the catalog after the items, applied naively (written ones newest). */
function after(stored: Threshold[], items: ProposedItem[]): Threshold[] {
  const later = new Date(Date.UTC(2030, 0, 1));
  const byId = new Map(stored.map((t) => [t.id, t]));
  for (const item of items) {
    if (item.op === 'delete') byId.delete(item.thresholdId);
    else if ('changes' in item)
      byId.set(item.thresholdId, { ...byId.get(item.thresholdId)!, ...item.changes, updatedAt: later });
    else byId.set(item.thresholdId, { ...aThreshold(item.threshold!), id: item.thresholdId, updatedAt: later });
  }
  return [...byId.values()];
}

const empty = (): LevelCounts => ({ minimal: 0, low: 0, medium: 0, high: 0, critical: 0 });

// CONTRACT §8.3: the report equals classifying every observation one by one under both catalogs,
// with the reference matching rule (a linear scan), not the index the service uses.
describe('impact analysis', () => {
  it('equals a brute-force reference on random catalogs, observations and changes', async () => {
    let moved = 0;
    await fc.assert(
      fc.asyncProperty(
        catalog.chain((stored) => fc.tuple(fc.constant(stored), change(stored))),
        fc.array(observation, { maxLength: 60 }),
        async ([stored, items], observations) => {
          const store = new InMemoryObservationStore();
          await store.add(observations);
          const threshold = new ThresholdCatalog();
          threshold.replaceAll(stored);
          const service = new ObservationsService(store, threshold);
          let report;
          try {
            report = await service.impact(items, WINDOW);
          } catch {
            // Items the apply rules refuse (a second active default): no report, as for a change request.
            return;
          }
          const afterList = after(stored, items);
          let total = 0;
          let changed = 0;
          const transitions = new Map<string, number>();
          const byThreshold = new Map<string | null, { before: LevelCounts; after: LevelCounts }>();
          const of = (id: string | null): { before: LevelCounts; after: LevelCounts } => {
            if (!byThreshold.has(id)) byThreshold.set(id, { before: empty(), after: empty() });
            return byThreshold.get(id)!;
          };
          for (const o of observations) {
            const req = {
              category: o.category,
              industryCode: o.industryCode || null,
              businessType: o.businessType || null,
            };
            for (let k = 0; k < o.count; k++) {
              const was = matchThreshold(stored, req);
              const will = matchThreshold(afterList, req);
              const from: Level = classify(scoreOf(o.score), was.riskLevels);
              const to: Level = classify(scoreOf(o.score), will.riskLevels);
              total++;
              of(was.threshold?.id ?? null).before[from]++;
              of(will.threshold?.id ?? null).after[to]++;
              if (from !== to) {
                changed++;
                const key = `${o.category} ${from} ${to}`;
                transitions.set(key, (transitions.get(key) ?? 0) + 1);
              }
            }
          }
          if (changed > 0) moved++;
          expect({ total: report.observations, changed: report.changed }).toEqual({ total, changed });
          expect(
            Object.fromEntries(report.transitions.map((t) => [`${t.category} ${t.fromLevel} ${t.toLevel}`, t.count])),
          ).toEqual(Object.fromEntries(transitions));
          const touched = new Set(items.filter((i) => i.op !== 'delete').map((i) => i.thresholdId));
          const expected = [...byThreshold.entries()]
            .filter(([id, c]) => touched.has(id!) || JSON.stringify(c.before) !== JSON.stringify(c.after))
            .map(([thresholdId, c]) => ({ thresholdId, ...c }));
          for (const id of touched)
            if (!byThreshold.has(id)) expected.push({ thresholdId: id, before: empty(), after: empty() });
          const sort = <T extends { thresholdId: string | null }>(xs: T[]): T[] =>
            [...xs].sort((a, b) => String(a.thresholdId).localeCompare(String(b.thresholdId)));
          expect(sort(report.byThreshold)).toEqual(sort(expected));
        },
      ),
      { numRuns: 300 },
    );
    // The generators must produce changes that move cases, or the comparison proves little.
    expect(moved).toBeGreaterThan(30);
  });
});
