import type { Impact } from '@app/modules/observations/domain/impact';
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
    by_threshold: impact.byThreshold.map((t) => ({ threshold_id: t.thresholdId, before: t.before, after: t.after })),
    near_cutoffs: impact.nearCutoffs.map((n) => ({
      threshold_id: n.thresholdId,
      level: n.level,
      cutoff: n.cutoff,
      within_1_below: n.within1Below,
      within_1_above: n.within1Above,
    })),
  };
}
