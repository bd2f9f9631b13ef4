import { CatalogSnapshot } from '@app/modules/thresholds/catalog/catalog-snapshot';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';
import { aThreshold } from '@test/support/builders';

const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const a = aThreshold({ priority: 5, createdAt: at(1), category: 'financial', industryCode: '52' });
const b = aThreshold({ priority: 5, createdAt: at(2), category: 'financial', businessType: 'Bank' });
const c = aThreshold({ priority: 0, createdAt: at(3), isActive: false });
const d = aThreshold({ priority: 9, createdAt: at(0) });
const sameKey1 = aThreshold({ id: '10000000-0000-4000-8000-000000000002', priority: 1, createdAt: at(5) });
const sameKey2 = aThreshold({ id: '10000000-0000-4000-8000-000000000001', priority: 1, createdAt: at(5) });

const ids = (items: readonly Threshold[]): string[] => items.map((t) => t.id);

describe('CatalogSnapshot', () => {
  it('orders by priority desc, created_at desc, id asc, and indexes by category', () => {
    const snapshot = new CatalogSnapshot([a, b, c, d, sameKey1, sameKey2], new Date());
    expect(ids(snapshot.ordered)).toEqual([d.id, b.id, a.id, sameKey2.id, sameKey1.id, c.id]);
    expect(ids(snapshot.ofCategory('financial'))).toEqual([b.id, a.id]);
    expect(snapshot.get(a.id)).toBe(a);
  });

  it('lists with exact filters, business type case-insensitively', () => {
    const snapshot = new CatalogSnapshot([a, b, c, d], new Date());
    const list = (filter: object): string[] => ids(snapshot.list({ filter, limit: 100 }).items);
    expect(list({ category: 'financial' })).toEqual([b.id, a.id]);
    expect(list({ industryCode: '52' })).toEqual([a.id]);
    expect(list({ industryCode: '5' })).toEqual([]);
    expect(list({ businessType: 'bank' })).toEqual([b.id]);
    expect(list({ isActive: false })).toEqual([c.id]);
  });

  it('pages after a position without skipping or repeating', () => {
    const snapshot = new CatalogSnapshot([a, b, c, d, sameKey1, sameKey2], new Date());
    const seen: string[] = [];
    let after: Threshold | undefined;
    for (let i = 0; i < 10; i++) {
      const page = snapshot.list({ filter: {}, limit: 2, after });
      seen.push(...ids(page.items));
      if (!page.hasMore) break;
      after = page.items[page.items.length - 1];
    }
    expect(seen).toEqual(ids(snapshot.ordered));
  });

  it('applies single changes in place, keeping both indexes in order', () => {
    const snapshot = new CatalogSnapshot([a, b, c, d], new Date());
    const moved = { ...a, priority: 20, category: 'operational' as const, version: 2 };
    snapshot.upsert(moved);
    expect(ids(snapshot.ordered)).toEqual([a.id, d.id, b.id, c.id]);
    expect(ids(snapshot.ofCategory('financial'))).toEqual([b.id]);
    expect(ids(snapshot.ofCategory('operational'))).toEqual([a.id]);
    expect(snapshot.get(a.id)).toBe(moved);
    snapshot.remove(b.id);
    snapshot.remove('unknown');
    expect(ids(snapshot.ordered)).toEqual([a.id, d.id, c.id]);
    expect(snapshot.ofCategory('financial')).toEqual([]);
    expect(snapshot.size).toBe(3);
    // The result equals a snapshot built from scratch.
    expect(ids(snapshot.ordered)).toEqual(ids(new CatalogSnapshot([moved, c, d], new Date()).ordered));
  });
});
