import { classify } from '@app/modules/thresholds/domain/classification';
import type { MatchRequest, MatchResult } from '@app/modules/thresholds/domain/matching';
import { LEVELS, type Category, type Level, type Threshold } from '@app/modules/thresholds/domain/threshold';
import { scoreOf, type WindowObservation } from './observation';

/** Which threshold applies to a request under one catalog (the live path's match, or the reference rule). */
export type Matcher = (req: MatchRequest) => MatchResult;

export type LevelCounts = Record<Level, number>;

export interface Transition {
  category: Category;
  fromLevel: Level;
  toLevel: Level;
  count: number;
}

export interface ThresholdImpact {
  /** null: the built-in bands (no threshold applied). */
  thresholdId: string | null;
  before: LevelCounts;
  after: LevelCounts;
}

export interface NearCutoff {
  thresholdId: string;
  level: Exclude<Level, 'minimal'>;
  cutoff: number;
  /** Observations this threshold decides after the change with a score in [cutoff - 1, cutoff). */
  within1Below: number;
  /** ... and in [cutoff, cutoff + 1). */
  within1Above: number;
}

export interface Impact {
  observations: number;
  changed: number;
  /** changed / observations; 0 when there are none. */
  changedShare: number;
  transitions: Transition[];
  byThreshold: ThresholdImpact[];
  nearCutoffs: NearCutoff[];
}

const CUTOFF_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
const emptyCounts = (): LevelCounts => ({ minimal: 0, low: 0, medium: 0, high: 0, critical: 0 });

/**
 * What a change would do to the cases observed (CONTRACT §8.3), exactly: every observed key is
 * matched and classified under the thresholds in force (`before`) and as the change would leave
 * them (`after`), by the same matching and classification as `/classify`; scores at their captured
 * 2-decimal resolution. `touched` are the thresholds the change writes (they are listed in
 * `byThreshold` even when no observation moves, and their cut-offs in `nearCutoffs`).
 *
 * Each matching key is matched once per catalog, whatever its number of scores.
 */
export function impactOf(
  before: Matcher,
  after: Matcher,
  observations: Iterable<WindowObservation>,
  touched: readonly Threshold[] = [],
): Impact {
  const groups = new Map<string, { req: MatchRequest; rows: WindowObservation[] }>();
  for (const o of observations) {
    const key = `${o.category}\u0000${o.industryCode}\u0000${o.businessType}`;
    const group = groups.get(key);
    if (group) group.rows.push(o);
    else {
      groups.set(key, {
        req: { category: o.category, industryCode: o.industryCode || null, businessType: o.businessType || null },
        rows: [o],
      });
    }
  }

  let total = 0;
  let changed = 0;
  const transitions = new Map<string, Transition>();
  const byThreshold = new Map<string | null, ThresholdImpact>();
  const thresholdImpact = (id: string | null): ThresholdImpact => {
    let entry = byThreshold.get(id);
    if (!entry) {
      entry = { thresholdId: id, before: emptyCounts(), after: emptyCounts() };
      byThreshold.set(id, entry);
    }
    return entry;
  };
  const touchedById = new Map(touched.map((t) => [t.id, t]));
  const near = new Map<string, NearCutoff>();
  for (const t of touched) {
    thresholdImpact(t.id);
    for (const level of CUTOFF_LEVELS) {
      near.set(`${t.id}\u0000${level}`, {
        thresholdId: t.id,
        level,
        cutoff: t.riskLevels[level],
        within1Below: 0,
        within1Above: 0,
      });
    }
  }

  for (const { req, rows } of groups.values()) {
    const was = before(req);
    const will = after(req);
    const wasId = was.threshold?.id ?? null;
    const willId = will.threshold?.id ?? null;
    const nearThreshold = willId === null ? undefined : touchedById.get(willId);
    for (const o of rows) {
      const score = scoreOf(o.score);
      const from = classify(score, was.riskLevels);
      const to = classify(score, will.riskLevels);
      total += o.count;
      thresholdImpact(wasId).before[from] += o.count;
      thresholdImpact(willId).after[to] += o.count;
      if (from !== to) {
        changed += o.count;
        const key = `${o.category}\u0000${from}\u0000${to}`;
        const t = transitions.get(key);
        if (t) t.count += o.count;
        else transitions.set(key, { category: o.category, fromLevel: from, toLevel: to, count: o.count });
      }
      if (nearThreshold) {
        for (const level of CUTOFF_LEVELS) {
          const cutoff = nearThreshold.riskLevels[level];
          const entry = near.get(`${nearThreshold.id}\u0000${level}`)!;
          if (score >= cutoff - 1 && score < cutoff) entry.within1Below += o.count;
          else if (score >= cutoff && score < cutoff + 1) entry.within1Above += o.count;
        }
      }
    }
  }

  const levelRank = (l: Level): number => LEVELS.indexOf(l);
  return {
    observations: total,
    changed,
    changedShare: total === 0 ? 0 : changed / total,
    transitions: [...transitions.values()].sort(
      (a, b) =>
        b.count - a.count ||
        a.category.localeCompare(b.category) ||
        levelRank(a.fromLevel) - levelRank(b.fromLevel) ||
        levelRank(a.toLevel) - levelRank(b.toLevel),
    ),
    // Only thresholds whose counts move, and those the change writes.
    byThreshold: [...byThreshold.values()]
      .filter((t) => touchedById.has(t.thresholdId!) || LEVELS.some((l) => t.before[l] !== t.after[l]))
      .sort((a, b) => String(a.thresholdId).localeCompare(String(b.thresholdId))),
    nearCutoffs: [...near.values()],
  };
}
