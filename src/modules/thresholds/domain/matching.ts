import { BUILTIN_RISK_LEVELS, type Category, type RiskLevels, type Threshold } from './threshold';

/** What a caller asks for: which bands apply to this category, industry and business type. */
export interface MatchRequest {
  category: Category;
  industryCode?: string | null;
  businessType?: string | null;
}

export type MatchSource = 'match' | 'default' | 'builtin';

export interface MatchResult {
  /** The threshold used; null when the built-in bands apply. */
  threshold: Threshold | null;
  source: MatchSource;
  riskLevels: RiskLevels;
  /** Why this threshold was chosen, in words. */
  reason: string;
}

/** Whether `t` is a candidate for `req` (CONTRACT §2.2 step 1). Inactive thresholds never are. */
export function isCandidate(t: Threshold, req: MatchRequest): boolean {
  if (!t.isActive || t.category !== req.category) return false;
  if (t.industryCode !== null) {
    const code = req.industryCode;
    if (!code || !code.toUpperCase().startsWith(t.industryCode.toUpperCase())) return false;
  }
  if (t.businessType !== null) {
    const type = req.businessType;
    if (!type || type.toLowerCase() !== t.businessType.toLowerCase()) return false;
  }
  return true;
}

/**
 * The total order of CONTRACT §2.2 step 2, most specific first: longer industry_code → business_type
 * set → higher priority → default first → newer updated_at → smaller id. Negative when `a` wins.
 */
export function compareCandidates(a: Threshold, b: Threshold): number {
  return (
    (b.industryCode?.length ?? 0) - (a.industryCode?.length ?? 0) ||
    Number(b.businessType !== null) - Number(a.businessType !== null) ||
    b.priority - a.priority ||
    Number(b.isDefault) - Number(a.isDefault) ||
    b.updatedAt.getTime() - a.updatedAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * Picks the threshold for `req` among `thresholds` (any set; only active ones of the requested
 * category are considered). Deterministic: the same data always gives the same answer.
 */
export function matchThreshold(thresholds: Iterable<Threshold>, req: MatchRequest): MatchResult {
  let best: Threshold | null = null;
  let fallback: Threshold | null = null;
  for (const t of thresholds) {
    if (isCandidate(t, req) && (best === null || compareCandidates(t, best) < 0)) best = t;
    if (t.isActive && t.isDefault && t.category === req.category) {
      if (fallback === null || compareCandidates(t, fallback) < 0) fallback = t;
    }
  }
  return matchResult(req.category, best, fallback);
}

/**
 * The answer for a request whose best candidate is `best` and whose category's best active
 * default is `fallback` (steps 2 and 3), however they were found.
 */
export function matchResult(category: Category, best: Threshold | null, fallback: Threshold | null): MatchResult {
  if (best) {
    // The category default winning as a candidate is reported as `default` too: the caller
    // learns that nothing more specific than the default applies.
    return {
      threshold: best,
      source: best.isDefault ? 'default' : 'match',
      riskLevels: best.riskLevels,
      reason: describeMatch(best),
    };
  }
  if (fallback) {
    return {
      threshold: fallback,
      source: 'default',
      riskLevels: fallback.riskLevels,
      reason: `no active threshold of category '${category}' matches the request's filters; using the category's active default`,
    };
  }
  return {
    threshold: null,
    source: 'builtin',
    riskLevels: BUILTIN_RISK_LEVELS,
    reason: `category '${category}' has no matching threshold and no active default; using the built-in bands 25/50/75/90`,
  };
}

function describeMatch(t: Threshold): string {
  const parts = [
    t.industryCode === null ? 'any industry_code' : `industry_code prefix '${t.industryCode}'`,
    t.businessType === null ? 'any business_type' : `business_type '${t.businessType}'`,
    `priority ${t.priority}`,
  ];
  const what = t.isDefault ? "the category's default is the most specific match" : 'most specific active match';
  return `${what}: ${parts.join(', ')}`;
}
