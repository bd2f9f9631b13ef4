import { ScoreCounter } from '@app/modules/observations/capture/score-counter';
import { hundredths } from '@app/modules/observations/domain/observation';

const NOV_20 = Date.UTC(2026, 10, 20, 12);

describe('ScoreCounter', () => {
  it('rounds scores half-up to 2 decimals as written', () => {
    expect([0, 0.004, 0.005, 0.285, 55.555, 55.554, 99.995, 100].map(hundredths)).toEqual([
      0, 0, 1, 29, 5556, 5555, 10_000, 10_000,
    ]);
  });

  it('counts per UTC day and key as matching compares them (code upper-cased, type lower-cased), summing equal keys', () => {
    let now = NOV_20;
    const counter = new ScoreCounter(100, () => now);
    counter.count({ score: 55.555, category: 'financial', industryCode: '52a1', businessType: 'Bank' });
    counter.count({ score: 55.5551, category: 'financial', industryCode: '52A1', businessType: 'bank' });
    counter.count({ score: 10, category: 'financial' });
    now += 86_400_000;
    counter.count({ score: 10, category: 'financial', industryCode: null, businessType: null });
    expect(counter.pendingKeys).toBe(4);
    const taken = counter.take();
    expect(taken.sort((a, b) => (a.day + a.score).localeCompare(b.day + b.score))).toEqual([
      { day: '2026-11-20', category: 'financial', industryCode: '', businessType: '', score: 1000, count: 1 },
      { day: '2026-11-20', category: 'financial', industryCode: '52A1', businessType: 'bank', score: 5556, count: 2 },
      { day: '2026-11-21', category: 'financial', industryCode: '', businessType: '', score: 1000, count: 1 },
    ]);
    expect([counter.pendingKeys, counter.take()]).toEqual([0, []]);
  });

  it('holds at most maxKeys distinct keys: new keys beyond are dropped and counted, known keys still count', () => {
    const counter = new ScoreCounter(2, () => NOV_20);
    counter.count({ score: 1, category: 'financial' });
    counter.count({ score: 2, category: 'financial' });
    counter.count({ score: 3, category: 'financial' });
    counter.count({ score: 3, category: 'financial' });
    counter.count({ score: 1, category: 'financial' });
    expect([counter.pendingKeys, counter.dropped]).toEqual([2, 2]);
    expect(counter.take().reduce((n, o) => n + o.count, 0)).toBe(3);
  });

  it('takes back what a failed flush could not store, within the bound', () => {
    const counter = new ScoreCounter(2, () => NOV_20);
    counter.count({ score: 1, category: 'financial' });
    const failed = counter.take();
    counter.count({ score: 1, category: 'financial' });
    counter.count({ score: 2, category: 'financial' });
    counter.restore([...failed, { ...failed[0], score: 300, count: 5 }]);
    expect([counter.pendingKeys, counter.dropped]).toEqual([2, 5]);
    expect(counter.take().map((o) => [o.score, o.count])).toEqual([
      [100, 2],
      [200, 1],
    ]);
  });
});
