import type { Observation } from '@app/modules/observations/domain/observation';
import type { ObservationStore } from '@app/modules/observations/persistence/observation.store';

const obs = (overrides: Partial<Observation> = {}): Observation => ({
  day: '2026-11-20',
  category: 'financial',
  industryCode: '5221',
  businessType: '',
  score: 5550,
  count: 1,
  ...overrides,
});
const bySum = <T extends { score: number }>(rows: T[]): T[] =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** One contract for every ObservationStore adapter (CONTRACT §8.1). */
export function observationStoreContract(adapterName: string, makeStore: () => Promise<ObservationStore>): void {
  describe(`ObservationStore contract: ${adapterName}`, () => {
    let store: ObservationStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('adds counts to what is stored under the same key, and sums a window over its days', async () => {
      await store.add([obs({ count: 2 }), obs({ score: 0 }), obs({ score: 10_000, count: 5 })]);
      await store.add([obs({ count: 3 }), obs({ day: '2026-11-21', count: 4 }), obs({ day: '2026-12-01', count: 9 })]);
      const window = await store.window({ from: '2026-11-01', to: '2026-11-30' });
      expect(bySum(window)).toEqual(
        bySum([
          { category: 'financial', industryCode: '5221', businessType: '', score: 5550, count: 9 },
          { category: 'financial', industryCode: '5221', businessType: '', score: 0, count: 1 },
          { category: 'financial', industryCode: '5221', businessType: '', score: 10_000, count: 5 },
        ]),
      );
      expect(await store.window({ from: '2026-12-01', to: '2026-12-01' })).toEqual([
        { category: 'financial', industryCode: '5221', businessType: '', score: 5550, count: 9 },
      ]);
      expect(await store.window({ from: '2026-10-01', to: '2026-10-31' })).toEqual([]);
    });

    it('filters by category, industry code prefix and business type', async () => {
      await store.add([
        obs(),
        obs({ industryCode: '52' }),
        obs({ industryCode: '6201' }),
        obs({ category: 'operational' }),
        obs({ businessType: 'bank' }),
      ]);
      const window = { from: '2026-11-20', to: '2026-11-20' };
      const total = async (q: object): Promise<number> =>
        (await store.window({ ...window, ...q })).reduce((n, o) => n + o.count, 0);
      expect(await total({})).toBe(5);
      expect(await total({ category: 'financial' })).toBe(4);
      expect(await total({ industryCode: '52' })).toBe(4);
      expect(await total({ industryCode: '5221' })).toBe(3);
      expect(await total({ businessType: 'bank' })).toBe(1);
      expect(await total({ businessType: '' })).toBe(4);
    });

    it('keeps the 2-decimal scores exactly', async () => {
      const scores = [1, 29, 5555, 9999, 10_000];
      await store.add(scores.map((score) => obs({ score })));
      const window = await store.window({ from: '2026-11-20', to: '2026-11-20' });
      expect(window.map((o) => o.score).sort((a, b) => a - b)).toEqual(scores);
    });

    it('prunes whole months older than the cut-off and leaves the rest untouched', async () => {
      const days = ['2026-08-31', '2026-09-01', '2026-09-30', '2026-10-15', '2026-11-20'];
      await store.add(days.map((day) => obs({ day })));
      // 2026-10-10: August and September are wholly older; October is not (its 10th-31st are kept).
      expect(await store.prune('2026-10-10')).toEqual(['2026-08', '2026-09']);
      const left = async (from: string, to: string): Promise<number> =>
        (await store.window({ from, to })).reduce((n, o) => n + o.count, 0);
      expect(await left('2026-01-01', '2026-09-30')).toBe(0);
      expect(await left('2026-10-01', '2026-12-31')).toBe(2);
      expect(await store.prune('2026-10-10')).toEqual([]);
      // A pruned month can be written again.
      await store.add([obs({ day: '2026-09-15' })]);
      expect(await left('2026-09-01', '2026-09-30')).toBe(1);
    });

    it('adds a large interval in batches, nothing lost', async () => {
      const many = Array.from({ length: 12_345 }, (_, i) =>
        obs({ industryCode: `C${i % 500}`, score: i % 10_001, count: 1 + (i % 3) }),
      );
      await store.add(many);
      const window = await store.window({ from: '2026-11-20', to: '2026-11-20' });
      expect(window.reduce((n, o) => n + o.count, 0)).toBe(many.reduce((n, o) => n + o.count, 0));
      expect(window).toHaveLength(12_345);
    });
  });
}
