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
type ByDay = Map<number, ByCategory>;

/** What a classification is counted under (the request as validated; the key parts as sent). */
export interface Counted {
  score: number;
  category: Category;
  industryCode?: string | null;
  businessType?: string | null;
}

/**
 * The in-memory counts of one interval (CONTRACT §8.1): nested maps keyed by the UTC day number,
 * the category, the industry code and business type as sent (normalised when taken) and the score
 * in hundredths. Counting a key seen in the interval allocates nothing: five map lookups and a
 * number stored. At most `maxKeys` distinct keys are held; beyond, observations are dropped and
 * counted in `dropped`, never refused or slowed.
 */
export class ScoreCounter {
  private counts: ByDay = new Map();
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
    const day = dayNumber(this.now());
    const scores = this.scoresOf(day, c.category, c.industryCode ?? '', c.businessType ?? '');
    const score = hundredths(c.score);
    const n = scores.get(score);
    if (n !== undefined) scores.set(score, n + 1);
    else if (this.keys < this.maxKeys) {
      scores.set(score, 1);
      this.keys++;
    } else this.dropped++;
  }

  /**
   * Everything counted since the last take, as observations (keys normalised as matching compares
   * them, equal keys summed), and a fresh interval.
   */
  take(): Observation[] {
    const counts = this.counts;
    this.counts = new Map();
    this.keys = 0;
    const merged = new Map<string, Observation>();
    for (const [day, byCategory] of counts) {
      const dayText = dayString(day);
      for (const [category, byCode] of byCategory) {
        for (const [code, byType] of byCode) {
          const industryCode = normalIndustryCode(code);
          for (const [type, scores] of byType) {
            const businessType = normalBusinessType(type);
            for (const [score, count] of scores) {
              const key = `${day}\u0000${category}\u0000${industryCode}\u0000${businessType}\u0000${score}`;
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
            }
          }
        }
      }
    }
    return [...merged.values()];
  }

  /**
   * Puts back observations a flush could not store (the database is down), so they are added when
   * it returns; within the key bound, the rest dropped and counted.
   */
  restore(observations: readonly Observation[]): void {
    for (const o of observations) {
      const scores = this.scoresOf(dayNumberOf(o.day), o.category, o.industryCode, o.businessType);
      const n = scores.get(o.score);
      if (n !== undefined) scores.set(o.score, n + o.count);
      else if (this.keys < this.maxKeys) {
        scores.set(o.score, o.count);
        this.keys++;
      } else this.dropped += o.count;
    }
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
