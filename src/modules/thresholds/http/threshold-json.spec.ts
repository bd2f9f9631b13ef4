import { CatalogSnapshot } from '@app/modules/thresholds/catalog/catalog-snapshot';
import { seedThresholds } from '@app/modules/thresholds/domain/seed';

const SEED_THRESHOLDS = seedThresholds(new Date('2026-12-01T00:00:00Z'));
import { PageCache, pageJson, thresholdJson } from '@app/modules/thresholds/http/threshold-json';

describe('rendered thresholds and pages', () => {
  const snapshotOfSeeds = (): CatalogSnapshot => new CatalogSnapshot(SEED_THRESHOLDS, new Date());
  const everything = { filter: {}, limit: 500 };

  it('renders a threshold once per version, and a page once per generation of the catalog and query', () => {
    const snapshot = snapshotOfSeeds();
    const cache = new PageCache();
    let renders = 0;
    const render = (): Buffer => {
      renders++;
      return pageJson(snapshot.list(everything));
    };
    const first = cache.page(snapshot, 'all', render);
    expect(cache.page(snapshot, 'all', render)).toBe(first);
    expect(renders).toBe(1);
    cache.page(snapshot, 'other', render);
    expect(renders).toBe(2);

    const [t] = SEED_THRESHOLDS;
    expect(thresholdJson(t)).toBe(thresholdJson(t));
    const changed = { ...t, priority: t.priority + 1, version: t.version + 1 };
    snapshot.upsert(changed);
    const after = cache.page(snapshot, 'all', render);
    expect(renders).toBe(3);
    expect(after).not.toBe(first);
    expect(JSON.parse(after.toString()).thresholds.find((x: { id: string }) => x.id === t.id).priority).toBe(
      t.priority + 1,
    );
    snapshot.remove(t.id);
    expect(JSON.parse(cache.page(snapshot, 'all', render).toString()).count).toBe(SEED_THRESHOLDS.length - 1);
    // Removing what is not there changes nothing: the page stays.
    const kept = cache.page(snapshot, 'all', render);
    snapshot.remove(t.id);
    expect(cache.page(snapshot, 'all', render)).toBe(kept);
  });
});
