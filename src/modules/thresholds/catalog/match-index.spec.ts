import fc from 'fast-check';
import { CatalogSnapshot } from '@app/modules/thresholds/catalog/catalog-snapshot';
import { matchThreshold, type MatchRequest } from '@app/modules/thresholds/domain/matching';
import type { Category, Threshold } from '@app/modules/thresholds/domain/threshold';
import { aThreshold } from '@test/support/builders';

// Small domains, so that prefixes, case variants, ties and defaults collide often.
const categories: Category[] = ['financial', 'operational'];
const code = fc.option(fc.stringMatching(/^[12aA]{1,3}$/), { nil: null });
const type = fc.option(fc.constantFrom('bank', 'Bank', 'shop'), { nil: null });
const threshold = fc
  .record({
    id: fc.uuid(),
    category: fc.constantFrom(...categories),
    industryCode: code,
    businessType: type,
    priority: fc.integer({ min: 0, max: 2 }),
    isDefault: fc.boolean(),
    isActive: fc.boolean(),
    updated: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ updated, ...t }) => aThreshold({ ...t, updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, updated)) }));
const request = fc.record({
  category: fc.constantFrom(...categories),
  industryCode: fc.option(fc.stringMatching(/^[12aA]{0,4}$/), { nil: null }),
  businessType: fc.option(fc.constantFrom('bank', 'BANK', 'shop', 'other', ''), { nil: null }),
});

/** The reference: the spec's rule applied to every threshold of the category. */
function expected(all: Iterable<Threshold>, req: MatchRequest): unknown {
  const result = matchThreshold(all, req);
  return { id: result.threshold?.id ?? null, source: result.source, reason: result.reason };
}
function actual(snapshot: CatalogSnapshot, req: MatchRequest): unknown {
  const result = snapshot.match(req);
  return { id: result.threshold?.id ?? null, source: result.source, reason: result.reason };
}

describe('MatchIndex (matching by bucket heads)', () => {
  it('answers exactly what matchThreshold answers over the whole category', () => {
    fc.assert(
      fc.property(
        fc.array(threshold, { maxLength: 40 }),
        fc.array(request, { minLength: 1, maxLength: 10 }),
        (ts, reqs) => {
          const snapshot = new CatalogSnapshot(ts, new Date());
          for (const req of reqs) expect(actual(snapshot, req)).toEqual(expected(ts, req));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('stays equal to it through in-place upserts and removals', () => {
    fc.assert(
      fc.property(
        fc.array(threshold, { maxLength: 30 }),
        fc.array(
          fc.oneof(
            threshold.map((t) => ({ upsert: t })),
            fc.nat().map((n) => ({ remove: n })),
          ),
          { maxLength: 30 },
        ),
        fc.array(request, { minLength: 1, maxLength: 5 }),
        (initial, changes, reqs) => {
          const snapshot = new CatalogSnapshot(initial, new Date());
          const model = new Map(initial.map((t) => [t.id, t]));
          for (const change of changes) {
            if ('upsert' in change) {
              // Sometimes a new version of an existing id, with other filters.
              const ids = [...model.keys()];
              const t =
                ids.length > 0 && change.upsert.priority === 1 ? { ...change.upsert, id: ids[0] } : change.upsert;
              snapshot.upsert(t);
              model.set(t.id, t);
            } else {
              const ids = [...model.keys()];
              if (ids.length === 0) continue;
              const id = ids[change.remove % ids.length];
              snapshot.remove(id);
              model.delete(id);
            }
          }
          for (const req of reqs) expect(actual(snapshot, req)).toEqual(expected(model.values(), req));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the most specific of 100,000 thresholds of a category', () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      aThreshold({ category: 'financial', industryCode: String(i % 5000), priority: i % 7 }),
    );
    const snapshot = new CatalogSnapshot(many, new Date());
    const req: MatchRequest = { category: 'financial', industryCode: '4999123', businessType: null };
    expect(snapshot.match(req).threshold?.industryCode).toBe('4999');
    expect(actual(snapshot, req)).toEqual(expected(many, req));
  });
});
