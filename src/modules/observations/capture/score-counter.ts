import type { Category } from '@app/modules/thresholds/domain/threshold';
import {
  dayNumber,
  dayNumberOf,
  dayString,
  hundredths,
  normalBusinessType,
  normalIndustryCode,
  type Observation,
} from '@app/modules/observations/domain/observation';

type Scores = Map<number, number>;
type ByType = Map<string, Scores>;
type ByCode = Map<string, ByType>;
type ByCategory = Map<string, ByCode>;
/** One interval's counts: day number → category → industry code → business type (as sent) → score → count. */
export type Interval = Map<number, ByCategory>;

/** What a classification is counted under (the request as validated; the key parts as sent). */
export interface Counted {
  score: number;
  category: Category;
  industryCode?: string | null;
  businessType?: string | null;
}

/** Leaves flattened between two yields to the event loop, so a large interval never stalls requests. */
const CHUNK = 5_000;
const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The in-memory counts of one interval (CONTRACT §8.1): nested maps keyed by the UTC day number,
 * the category, the industry code and business type as sent (normalised when flattened) and the
 * score in hundredths. Counting a key seen in the interval allocates nothing: five map lookups and
 * a number stored. At most `maxKeys` distinct keys (as sent) are held, maps included: a key beyond
 * the bound allocates nothing and is counted in `dropped`; a classification is never refused or
 * slowed.
 */
export class ScoreCounter {
  private counts: Interval = new Map();
  private keys = 0;
  /** Observations not kept because the key bound was reached (monotonic). */
  dropped = 0;

  constructor(
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Distinct keys held, waiting for the next flush. */
  get pendingKeys(): number {
    return this.keys;
  }

  count(c: Counted): void {
    this.add(dayNumber(this.now()), c.category, c.industryCode ?? '', c.businessType ?? '', hundredths(c.score), 1);
  }

  /** The counts so far, and a fresh interval: O(1), the work of flattening is `flatten`'s. */
  take(): Interval {
    const counts = this.counts;
    this.counts = new Map();
    this.keys = 0;
    return counts;
  }

  /**
   * Puts back observations a flush could not store (the database is down), so they are added when
   * it returns; within the key bound, the rest dropped and counted. Yields between chunks.
   */
  async restore(observations: readonly Observation[]): Promise<void> {
    for (let i = 0; i < observations.length; i++) {
      const o = observations[i];
      this.add(dayNumberOf(o.day), o.category, o.industryCode, o.businessType, o.score, o.count);
      if (i % CHUNK === CHUNK - 1) await yieldToRequests();
    }
  }

  private add(day: number, category: string, code: string, type: string, score: number, n: number): void {
    // Look up without creating: a key beyond the bound must not allocate its maps either.
    const scores = this.counts.get(day)?.get(category)?.get(code)?.get(type);
    const seen = scores?.get(score);
    if (seen !== undefined) {
      scores!.set(score, seen + n);
      return;
    }
    if (this.keys >= this.maxKeys) {
      this.dropped += n;
      return;
    }
    this.keys++;
    (scores ?? this.scoresOf(day, category, code, type)).set(score, n);
  }

  private scoresOf(day: number, category: string, code: string, type: string): Scores {
    let byCategory = this.counts.get(day);
    if (!byCategory) this.counts.set(day, (byCategory = new Map<string, ByCode>()));
    let byCode = byCategory.get(category);
    if (!byCode) byCategory.set(category, (byCode = new Map<string, ByType>()));
    let byType = byCode.get(code);
    if (!byType) byCode.set(code, (byType = new Map<string, Scores>()));
    let scores = byType.get(type);
    if (!scores) byType.set(type, (scores = new Map<number, number>()));
    return scores;
  }
}

/**
 * An interval's counts as observations: keys normalised as matching compares them, equal keys
 * summed, sorted by key (replicas upserting in one order cannot deadlock). Yields to the event
 * loop every few thousand keys.
 */
export async function flatten(counts: Interval): Promise<Observation[]> {
  const merged = new Map<string, Observation>();
  let done = 0;
  for (const [day, byCategory] of counts) {
    const dayText = dayString(day);
    for (const [category, byCode] of byCategory) {
      for (const [code, byType] of byCode) {
        const industryCode = normalIndustryCode(code);
        for (const [type, scores] of byType) {
          const businessType = normalBusinessType(type);
          for (const [score, count] of scores) {
            const key = `${dayText}\u0000${category}\u0000${industryCode}\u0000${businessType}\u0000${String(score).padStart(5, '0')}`;
            const seen = merged.get(key);
            if (seen) seen.count += count;
            else {
              merged.set(key, {
                day: dayText,
                category: category as Category,
                industryCode,
                businessType,
                score,
                count,
              });
            }
            if (++done % CHUNK === 0) await yieldToRequests();
          }
        }
      }
    }
  }
  return [...merged.keys()].sort().map((key) => merged.get(key)!);
}
