import { LocalWindows } from '@app/modules/rate-limit/resilient-throttler.storage';

describe('LocalWindows (in-process fixed-window counters)', () => {
  const windows = new LocalWindows();
  afterAll(() => windows.close());

  it('counts hits in a window, blocks above the limit, and starts a new window when it ends', () => {
    const t0 = 1_000_000;
    expect(windows.increment('k', 60_000, 2, t0)).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(windows.increment('k', 60_000, 2, t0 + 1000).totalHits).toBe(2);
    expect(windows.increment('k', 60_000, 2, t0 + 30_500)).toEqual({
      totalHits: 3,
      timeToExpire: 30,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    expect(windows.increment('other', 60_000, 2, t0 + 30_500).totalHits).toBe(1);
    expect(windows.increment('k', 60_000, 2, t0 + 60_000)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('costs the same at the millionth hit as at the first (no per-hit memory) and sweeps ended windows', () => {
    const t0 = 5_000_000;
    for (let i = 0; i < 1_000_000; i++) windows.increment('busy', 60_000, 10, t0);
    expect(windows.increment('busy', 60_000, 10, t0).totalHits).toBe(1_000_001);
    windows.sweep(t0 + 120_000);
    expect(windows.size).toBe(0);
  });
});
