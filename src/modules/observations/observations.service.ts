import { Injectable } from '@nestjs/common';
import {
  completeItems,
  ItemsMovedError,
  itemViolations,
  movedItems,
  writesOf,
} from '@app/modules/changes/domain/apply-plan';
import type { ProposedItem } from '@app/modules/changes/domain/change-request';
import { distributionOf, type Distribution } from '@app/modules/observations/domain/distribution';
import { impactOf, type Impact, type ThresholdChange } from '@app/modules/observations/domain/impact';
import { dayNumber, dayNumberOf, dayString } from '@app/modules/observations/domain/observation';
import { ObservationStore, type ObservationQuery } from '@app/modules/observations/persistence/observation.store';
import { CatalogSnapshot } from '@app/modules/thresholds/catalog/catalog-snapshot';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import { ValidationError } from '@app/modules/thresholds/domain/errors';

/** The longest window a question may span, in days. */
export const MAX_WINDOW_DAYS = 366;

/** The days of a window (inclusive, `YYYY-MM-DD`). */
export interface Window {
  from: string;
  to: string;
}

/** The window asked for: `to` defaults to today (UTC), `from` to 29 days before `to`. */
export function windowOf(asked: { from?: string; to?: string }, now = new Date()): Window {
  const to = asked.to ?? dayString(dayNumber(now.getTime()));
  const from = asked.from ?? dayString(Math.max(0, dayNumberOf(to) - 29));
  const days = dayNumberOf(to) - dayNumberOf(from) + 1;
  if (days < 1) throw new ValidationError([{ field: '/from', message: 'must not be after to', code: 'out_of_range' }]);
  if (days > MAX_WINDOW_DAYS) {
    throw new ValidationError([
      {
        field: '/from',
        message: `must be at most ${MAX_WINDOW_DAYS - 1} days before to: a window spans at most ${MAX_WINDOW_DAYS} days, both included`,
        code: 'out_of_range',
      },
    ]);
  }
  return { from, to };
}

/** The default window: the last 30 UTC days, today included. */
export function defaultWindow(now = new Date()): Window {
  return windowOf({}, now);
}

/**
 * Score distribution and impact analysis (CONTRACT §8.2-8.3), from the stored observations and
 * the thresholds in force (the catalog `/classify` answers from), matched by the same code.
 */
@Injectable()
export class ObservationsService {
  constructor(
    private readonly store: ObservationStore,
    private readonly catalog: ThresholdCatalog,
  ) {}

  async distribution(query: ObservationQuery, binWidth: number): Promise<Distribution> {
    const observations = await this.store.window(query);
    const now = this.catalog.current();
    return distributionOf(observations, binWidth, (req) => now.match(req));
  }

  /**
   * What `proposed` would change over the cases observed in `window`: the thresholds in force
   * against the thresholds as the items would leave them, built with the rules a change request's
   * apply uses (updates completed from the stored threshold, the one-default rule checked); `409`
   * naming the items whose base moved, as apply would.
   */
  async impact(proposed: readonly ProposedItem[], window: Window): Promise<Impact> {
    const before = this.catalog.current();
    const stored = new Map(before.ordered.map((t) => [t.id, t]));
    const items = completeItems(proposed, stored);
    // Weighed on a base that moved, an update would show the reverting of what moved as its effect.
    const moved = movedItems(items, stored);
    if (moved.length > 0) throw new ItemsMovedError(moved, 'Nothing was weighed');
    const violations = itemViolations(items, stored);
    if (violations.length > 0) throw new ValidationError(violations, 'The items are invalid.');
    const writes = writesOf(items, stored, 'impact', new Date());
    const after = new Map(stored);
    for (const t of writes.creates) after.set(t.id, t);
    for (const { threshold } of writes.updates) after.set(threshold.id, threshold);
    for (const { id } of writes.deletes) after.delete(id);
    const changes: ThresholdChange[] = [
      ...writes.creates.map((t) => ({ before: null, after: t })),
      ...writes.updates.map((u) => ({ before: stored.get(u.threshold.id)!, after: u.threshold })),
      ...writes.deletes.map((d) => ({ before: stored.get(d.id)!, after: null })),
    ];
    const afterCatalog = new CatalogSnapshot(after.values(), new Date());
    const observations = await this.store.window(window);
    return impactOf(
      (req) => before.match(req),
      (req) => afterCatalog.match(req),
      observations,
      changes,
    );
  }
}
