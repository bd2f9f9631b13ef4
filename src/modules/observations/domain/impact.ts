import { classify } from '@app/modules/thresholds/domain/classification';
import { isCandidate, type MatchRequest, type MatchResult } from '@app/modules/thresholds/domain/matching';
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

/** What a change does to one threshold: `before` null when it creates it, `after` null when it deletes it. */
export interface ThresholdChange {
  before: Threshold | null;
  after: Threshold | null;
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
 * 2-decimal resolution. `changes` are what the change does to each threshold it writes (`before`
 * null: created; `after` null: deleted); those it leaves are listed in `byThreshold` even when no
 * observation moves, and their cut-offs in `nearCutoffs`.
 *
 * Each matching key is matched once per catalog, whatever its number of scores.
 */
export function impactOf(
  before: Matcher,
  after: Matcher,
  observations: Iterable<WindowObservation>,
  changes: readonly ThresholdChange[] = [],
): Impact {
  const touched = changes.flatMap((c) => (c.after ? [c.after] : []));
  const changedIds = new Set(changes.map((c) => (c.after ?? c.before)!.id));
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
    const will = unmoved(was, req, changes, changedIds) ? was : after(req);
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
          // In hundredths, where scores are whole: cutoff ± 1 computed on doubles misses the edges.
          const cutoff = onGrid(nearThreshold.riskLevels[level] * 100);
          const entry = near.get(`${nearThreshold.id}\u0000${level}`)!;
          if (o.score >= cutoff - 100 && o.score < cutoff) entry.within1Below += o.count;
          else if (o.score >= cutoff && o.score < cutoff + 100) entry.within1Above += o.count;
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

/** A cut-off in hundredths: whole when it has at most 2 decimals (32.02 * 100 is 3201.9999999999995). */
function onGrid(scaled: number): number {
  const whole = Math.round(scaled);
  return Math.abs(scaled - whole) < 1e-6 ? whole : scaled;
}

/** Above this many changed thresholds, checking each against every key costs more than matching. */
const SHORTCUT_MAX_CHANGES = 32;

/**
 * Whether a request's match cannot differ after the change, so matching it again can be skipped
 * (most keys, for a change of a few thresholds): its winner is not one the change writes, none the
 * change leaves is a candidate for it, and no default of its category is written (the fallback
 * stays). The property test compares the result with matching every key under both catalogs.
 */
function unmoved(
  was: MatchResult,
  req: MatchRequest,
  changes: readonly ThresholdChange[],
  changedIds: ReadonlySet<string>,
): boolean {
  if (changes.length > SHORTCUT_MAX_CHANGES) return false;
  if (was.threshold && changedIds.has(was.threshold.id)) return false;
  for (const { before, after } of changes) {
    if (after && isCandidate(after, req)) return false;
    if (
      (before?.isDefault && before.category === req.category) ||
      (after?.isDefault && after.category === req.category)
    )
      return false;
  }
  return true;
}
