import {
  compareCandidates,
  matchResult,
  type MatchRequest,
  type MatchResult,
} from '@app/modules/thresholds/domain/matching';
import type { Category, Threshold } from '@app/modules/thresholds/domain/threshold';

/** Bucket key: the upper-cased industry code and the lower-cased business type ('' for none). */
const keyOf = (code: string, type: string): string => `${code}\u0000${type}`;

/**
 * The active thresholds of one category, in buckets by (industry code, business type), each
 * bucket in candidate order (`compareCandidates`, best first). A request's candidates are exactly
 * the thresholds of the buckets (prefix of its code or none) x (its business type or none), so
 * matching reads at most 2 x (code length + 1) bucket heads, whatever the number of thresholds:
 * the same answer as `matchThreshold` over the whole category (a property test holds them equal).
 */
export class MatchIndex {
  private readonly buckets = new Map<string, Threshold[]>();
  /** Active defaults, best first: the fallback of step 3. */
  private readonly defaults: Threshold[] = [];

  add(t: Threshold): void {
    if (!t.isActive) return;
    const key = keyOf(t.industryCode?.toUpperCase() ?? '', t.businessType?.toLowerCase() ?? '');
    const bucket = this.buckets.get(key);
    if (bucket) insertOrdered(bucket, t);
    else this.buckets.set(key, [t]);
    if (t.isDefault) insertOrdered(this.defaults, t);
  }

  remove(t: Threshold): void {
    if (!t.isActive) return;
    const key = keyOf(t.industryCode?.toUpperCase() ?? '', t.businessType?.toLowerCase() ?? '');
    const bucket = this.buckets.get(key);
    if (bucket) {
      removeOrdered(bucket, t);
      if (bucket.length === 0) this.buckets.delete(key);
    }
    if (t.isDefault) removeOrdered(this.defaults, t);
  }

  match(category: Category, req: MatchRequest): MatchResult {
    const code = req.industryCode ? req.industryCode.toUpperCase() : '';
    const type = req.businessType ? req.businessType.toLowerCase() : '';
    let best: Threshold | null = null;
    for (let length = 0; length <= code.length; length++) {
      const prefix = code.slice(0, length);
      best = better(best, this.buckets.get(keyOf(prefix, ''))?.[0]);
      if (type !== '') best = better(best, this.buckets.get(keyOf(prefix, type))?.[0]);
    }
    return matchResult(category, best, this.defaults[0] ?? null);
  }
}

function better(best: Threshold | null, candidate: Threshold | undefined): Threshold | null {
  if (candidate === undefined) return best;
  return best === null || compareCandidates(candidate, best) < 0 ? candidate : best;
}

/** Index of the first element that `t` is ordered before (candidate order is total). */
function position(list: readonly Threshold[], t: Threshold): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCandidates(list[mid], t) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertOrdered(list: Threshold[], t: Threshold): void {
  list.splice(position(list, t), 0, t);
}

function removeOrdered(list: Threshold[], t: Threshold): void {
  const at = position(list, t);
  if (list[at]?.id === t.id) list.splice(at, 1);
}
