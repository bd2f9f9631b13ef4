import { classify } from '@app/modules/thresholds/domain/classification';
import type { Level } from '@app/modules/thresholds/domain/threshold';
import type { LevelCounts, Matcher } from './impact';
import { scoreOf, type WindowObservation } from './observation';

export interface Distribution {
  total: number;
  /** Bins of `binWidth` hundredths that hold observations, lowest first; `lower` in hundredths. */
  bins: { lower: number; count: number }[];
  /** The observations' levels under the thresholds in force now. */
  levels: LevelCounts;
}

/**
 * The distribution of observed scores (CONTRACT §8.2): counts per bin of `binWidth` hundredths, and
 * per level under `now`, each key matched once.
 */
export function distributionOf(
  observations: Iterable<WindowObservation>,
  binWidth: number,
  now: Matcher,
): Distribution {
  const bins = new Map<number, number>();
  const levels: LevelCounts = { minimal: 0, low: 0, medium: 0, high: 0, critical: 0 };
  const matched = new Map<string, ReturnType<Matcher>>();
  let total = 0;
  for (const o of observations) {
    const lower = Math.floor(o.score / binWidth) * binWidth;
    bins.set(lower, (bins.get(lower) ?? 0) + o.count);
    const key = `${o.category}\u0000${o.industryCode}\u0000${o.businessType}`;
    let match = matched.get(key);
    if (!match) {
      match = now({ category: o.category, industryCode: o.industryCode || null, businessType: o.businessType || null });
      matched.set(key, match);
    }
    const level: Level = classify(scoreOf(o.score), match.riskLevels);
    levels[level] += o.count;
    total += o.count;
  }
  return {
    total,
    bins: [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([lower, count]) => ({ lower, count })),
    levels,
  };
}
