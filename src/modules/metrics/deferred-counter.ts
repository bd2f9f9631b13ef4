import type { Counter } from 'prom-client';

/**
 * A labelled prom-client Counter counted in plain numbers and handed to prom-client when it is read
 * (its `collect` callback, which prom-client calls before every export): on a path that counts
 * once per classification (a batch: a thousand times), `inc()` is one addition instead of
 * prom-client's label hashing and validation. The exported values are the same.
 */
export function deferredCounter<L extends string>(counter: Counter<L>): (...values: string[]) => { inc(): void } {
  const names = (counter as unknown as { labelNames: L[] }).labelNames;
  const pending = new Map<string, { labels: Partial<Record<L, string>>; n: number }>();
  const previous = (counter as unknown as { collect?: () => unknown }).collect;
  (counter as unknown as { collect: () => unknown }).collect = function collect(this: Counter<L>) {
    for (const series of pending.values()) {
      if (series.n === 0) continue;
      counter.inc(series.labels, series.n);
      series.n = 0;
    }
    return previous?.call(this);
  };
  return (...values: string[]) => {
    const key = values.join('\u0000');
    let series = pending.get(key);
    if (!series) {
      series = {
        labels: Object.fromEntries(names.map((name, i) => [name, values[i]])) as Partial<Record<L, string>>,
        n: 0,
      };
      pending.set(key, series);
    }
    const counted = series;
    return { inc: () => void counted.n++ };
  };
}
