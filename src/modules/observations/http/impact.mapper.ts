import type { Impact, LevelCounts } from '@app/modules/observations/domain/impact';
import { LEVELS } from '@app/modules/thresholds/domain/threshold';
import type { ImpactResponse } from '@app/modules/observations/http/impact.schema';

/** Impact in the API's form (snake_case). */
export function toImpactResponse(impact: Impact, window: { from: string; to: string }): ImpactResponse {
  return {
    from: window.from,
    to: window.to,
    observations: impact.observations,
    changed: impact.changed,
    changed_share: impact.changedShare,
    transitions: impact.transitions.map((t) => ({
      category: t.category,
      from_level: t.fromLevel,
      to_level: t.toLevel,
      count: t.count,
    })),
    by_threshold: impact.byThreshold.map((t) => ({
      threshold_id: t.thresholdId,
      before: inLevelOrder(t.before),
      after: inLevelOrder(t.after),
    })),
    near_cutoffs: impact.nearCutoffs.map((n) => ({
      threshold_id: n.thresholdId,
      level: n.level,
      cutoff: n.cutoff,
      within_1_below: n.within1Below,
      within_1_above: n.within1Above,
    })),
  };
}

/** Level counts minimal to critical, whatever order they were stored in (jsonb orders keys its own way). */
function inLevelOrder(counts: LevelCounts): LevelCounts {
  return Object.fromEntries(LEVELS.map((l) => [l, counts[l]])) as LevelCounts;
}
