import { flatten, ScoreCounter } from '@app/modules/observations/capture/score-counter';
import { hundredths } from '@app/modules/observations/domain/observation';

const NOV_20 = Date.UTC(2026, 10, 20, 12);
const total = (os: { count: number }[]): number => os.reduce((n, o) => n + o.count, 0);

describe('ScoreCounter', () => {
  it('rounds scores half-up to 2 decimals as written, and only the halves', () => {
    expect([0, 0.004, 0.005, 0.285, 1.005, 55.555, 55.554, 99.995, 100].map(hundredths)).toEqual([
      0, 0, 1, 29, 101, 5556, 5555, 10_000, 10_000,
    ]);
    // Just below a half is below it.
    expect([0.0049999999, 54.994999999, 34.9949999999].map(hundredths)).toEqual([0, 5499, 3499]);
  });

  it('counts per UTC day and key as matching compares them (code upper-cased, type lower-cased), summing equal keys, sorted', async () => {
    let now = NOV_20;
    const counter = new ScoreCounter(100, () => now);
    counter.count({ score: 55.555, category: 'financial', industryCode: '52a1', businessType: 'Bank' });
    counter.count({ score: 55.5551, category: 'financial', industryCode: '52A1', businessType: 'bank' });
    counter.count({ score: 10, category: 'financial' });
    now += 86_400_000;
    counter.count({ score: 10, category: 'financial', industryCode: null, businessType: null });
    expect(counter.pendingKeys).toBe(4);
    expect(await flatten(counter.take())).toEqual([
      { day: '2026-11-20', category: 'financial', industryCode: '', businessType: '', score: 1000, count: 1 },
      { day: '2026-11-20', category: 'financial', industryCode: '52A1', businessType: 'bank', score: 5556, count: 2 },
      { day: '2026-11-21', category: 'financial', industryCode: '', businessType: '', score: 1000, count: 1 },
    ]);
    expect([counter.pendingKeys, await flatten(counter.take())]).toEqual([0, []]);
  });

  it('holds at most maxKeys distinct keys: new keys beyond are dropped and counted, known keys still count', async () => {
    const counter = new ScoreCounter(2, () => NOV_20);
    counter.count({ score: 1, category: 'financial' });
    counter.count({ score: 2, category: 'financial' });
    counter.count({ score: 3, category: 'financial' });
    counter.count({ score: 3, category: 'financial' });
    counter.count({ score: 1, category: 'financial' });
    expect([counter.pendingKeys, counter.dropped]).toEqual([2, 2]);
    expect(total(await flatten(counter.take()))).toBe(3);
  });

  it('a key beyond the bound allocates nothing: a million distinct business types hold one key', async () => {
    const counter = new ScoreCounter(1, () => NOV_20);
    for (let i = 0; i < 1_000_000; i++) counter.count({ score: 1, category: 'financial', businessType: `type ${i}` });
    const interval = counter.take();
    const types = interval
      .get(Math.floor(NOV_20 / 86_400_000))!
      .get('financial')!
      .get('')!;
    expect([types.size, counter.dropped]).toEqual([1, 999_999]);
  });

  it('takes back what a failed flush could not store, within the bound', async () => {
    const counter = new ScoreCounter(2, () => NOV_20);
    counter.count({ score: 1, category: 'financial' });
    const failed = await flatten(counter.take());
    counter.count({ score: 1, category: 'financial' });
    counter.count({ score: 2, category: 'financial' });
    await counter.restore([...failed, { ...failed[0], score: 300, count: 5 }]);
    expect([counter.pendingKeys, counter.dropped]).toEqual([2, 5]);
    expect((await flatten(counter.take())).map((o) => [o.score, o.count])).toEqual([
      [100, 2],
      [200, 1],
    ]);
  });
});
