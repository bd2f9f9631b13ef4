import { findDefaultConflicts } from '@app/modules/thresholds/domain/invariants';
import {
  applyChanges,
  canonicalId,
  fieldsOf,
  newThreshold,
  nextVersion,
  type Threshold,
} from '@app/modules/thresholds/domain/threshold';
import { ConflictError, type Violation } from '@app/modules/thresholds/domain/errors';
import type { ChangeItem, ProposedItem } from './change-request';

/** An item whose base no longer holds: the threshold moved since the author saw it. */
export interface MovedItem {
  index: number;
  thresholdId: string;
  /** The version the item was based on (null: a create) and the stored one (null: gone). */
  baseVersion: number | null;
  storedVersion: number | null;
}

export interface ThresholdWrites {
  creates: Threshold[];
  updates: { threshold: Threshold; expectedVersion: number }[];
  deletes: { id: string; expectedVersion: number }[];
}

/**
 * The items whose base moved (CONTRACT §7.2): a create whose id is taken, an update or delete
 * whose threshold is gone or at another version than the item's `base_version`.
 */
export function movedItems(items: readonly ChangeItem[], stored: ReadonlyMap<string, Threshold>): MovedItem[] {
  const moved: MovedItem[] = [];
  items.forEach((item, index) => {
    const current = stored.get(item.thresholdId);
    const holds = item.op === 'create' ? current === undefined : current?.version === item.baseVersion;
    if (!holds) {
      moved.push({
        index,
        thresholdId: item.thresholdId,
        baseVersion: item.baseVersion,
        storedVersion: current?.version ?? null,
      });
    }
  });
  return moved;
}

/** The writes that apply `items` to `stored` (every base holding), as the store's import step takes them. */
export function writesOf(
  items: readonly ChangeItem[],
  stored: ReadonlyMap<string, Threshold>,
  actor: string,
  now: Date,
): ThresholdWrites {
  const writes: ThresholdWrites = { creates: [], updates: [], deletes: [] };
  for (const item of items) {
    const current = stored.get(item.thresholdId);
    if (item.op === 'create') writes.creates.push(newThreshold(item.threshold!, item.thresholdId, actor, now));
    else if (item.op === 'update') {
      writes.updates.push({
        threshold: nextVersion(current!, item.threshold!, actor, now),
        expectedVersion: current!.version,
      });
    } else writes.deletes.push({ id: item.thresholdId, expectedVersion: current!.version });
  }
  return writes;
}

/**
 * Items with complete proposed states: an update that names some fields takes the others from the
 * stored threshold (absent from `stored`: left for `itemViolations` to report, as an empty update).
 */
export function completeItems(items: readonly ProposedItem[], stored: ReadonlyMap<string, Threshold>): ChangeItem[] {
  return items.map((item) => {
    if (!('changes' in item)) return item;
    const current = stored.get(canonicalId(item.thresholdId));
    return {
      op: 'update',
      thresholdId: item.thresholdId,
      baseVersion: item.baseVersion,
      threshold: current ? applyChanges(fieldsOf(current), item.changes) : null,
    };
  });
}

/**
 * What is wrong with a set of items on its own and against the stored thresholds as they are
 * now: an id twice, an update or delete of a threshold that does not exist, a create of one that
 * does, and the one-active-default rule on the set as it would stand after applying.
 */
export function itemViolations(items: readonly ChangeItem[], stored: ReadonlyMap<string, Threshold>): Violation[] {
  const violations: Violation[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const id = canonicalId(item.thresholdId);
    if (seen.has(id)) {
      violations.push({
        field: `/items/${i}/threshold_id`,
        message: 'names a threshold an earlier item changes',
        code: 'duplicate_id',
      });
    }
    seen.add(id);
    const exists = stored.has(id);
    if (item.op === 'create' && exists) {
      violations.push({
        field: `/items/${i}/threshold_id`,
        message: 'is the id of a stored threshold',
        code: 'duplicate_id',
      });
    }
    if (item.op !== 'create' && !exists) {
      violations.push({ field: `/items/${i}/threshold_id`, message: 'is not a stored threshold', code: 'not_found' });
    }
  });
  if (violations.length > 0) return violations;
  const after = new Map(stored);
  for (const item of items) {
    if (item.op === 'delete') after.delete(item.thresholdId);
    else
      after.set(item.thresholdId, {
        ...(stored.get(item.thresholdId) ?? newThreshold(item.threshold!, item.thresholdId, '', new Date(0))),
        ...item.threshold!,
      });
  }
  for (const conflict of findDefaultConflicts(after.values())) {
    violations.push({
      field: '/items',
      message: `would leave category '${conflict.category}' with ${conflict.ids.length} active defaults (${conflict.ids.join(', ')})`,
      code: 'default_exists',
    });
  }
  return violations;
}

/** The `409` of an apply whose items moved, naming each. */
export class ItemsMovedError extends ConflictError {
  constructor(
    readonly moved: readonly MovedItem[],
    lead = 'Nothing was applied',
  ) {
    super(
      `${lead}: ${moved.length} item(s) changed since the request was written (${moved
        .slice(0, 10)
        .map(
          (m) =>
            `/items/${m.index}, threshold ${m.thresholdId}: based on ${m.baseVersion ?? 'none'}, now ${m.storedVersion ?? 'none'}`,
        )
        .join('; ')}${moved.length > 10 ? `; and ${moved.length - 10} more` : ''}). ` +
        'Edit the request to take the new versions, then submit it again.',
      moved.map((m) => ({
        field: `/items/${m.index}/base_version`,
        message:
          m.storedVersion === null
            ? 'the threshold no longer exists'
            : m.baseVersion === null
              ? `a threshold with this id now exists (version ${m.storedVersion})`
              : `the threshold is now at version ${m.storedVersion}`,
        code: 'moved',
      })),
    );
  }
}
