import { fieldEquals, FIELD_NAMES, type Threshold, type ThresholdFields } from './threshold';
import type { WriteContext } from './writes';

export const HISTORY_ACTIONS = ['create', 'update', 'delete', 'import'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** A changed field: its value before and after (null when the threshold did not exist). */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/** One audited write of one threshold. */
export interface HistoryEntry {
  thresholdId: string;
  /** The version the write produced (for a delete: the version removed). */
  version: number;
  action: HistoryAction;
  actor: string;
  /** The caller's `X-Request-Id` when it sent one (for correlation: not unique), else the server's. */
  requestId: string | null;
  /** The server's own id of the request that wrote the entry: unique. */
  serverRequestId: string | null;
  at: Date;
  /** The client fields that changed, by domain field name. */
  changes: Partial<Record<keyof ThresholdFields, FieldChange>>;
  /** The change request the write applied (CONTRACT §7.2), and who approved it. */
  changeRequestId: string | null;
  approvers: string[] | null;
}

/**
 * The fields that differ between two states of a threshold. A create (`before` null) lists
 * every field with `from: null`; a delete (`after` null) every field with `to: null`.
 */
export function diffFields(before: ThresholdFields | null, after: ThresholdFields | null): HistoryEntry['changes'] {
  const changes: HistoryEntry['changes'] = {};
  for (const field of FIELD_NAMES) {
    const from = before === null ? null : before[field];
    const to = after === null ? null : after[field];
    if (before === null || after === null || !fieldEquals(from, to)) changes[field] = { from, to };
  }
  return changes;
}

/** The history entry of a write that took `before` to `after`. */
export function historyEntry(
  action: HistoryAction,
  before: Threshold | null,
  after: Threshold | null,
  ctx: WriteContext,
  at: Date,
): HistoryEntry {
  const subject = (after ?? before) as Threshold;
  return {
    thresholdId: subject.id,
    version: subject.version,
    action,
    actor: ctx.actor,
    requestId: ctx.requestId ?? null,
    serverRequestId: ctx.serverRequestId ?? null,
    at,
    changes: diffFields(before, after),
    changeRequestId: ctx.changeRequestId ?? null,
    approvers: ctx.approvers ? [...ctx.approvers] : null,
  };
}

/**
 * The action an import's entry records: `import` for an import, the item's own (`create`,
 * `update`, `delete`) when the write applies a change request, whose entry names it.
 */
export function importAction(ctx: WriteContext, op: 'create' | 'update' | 'delete'): HistoryAction {
  return ctx.changeRequestId ? op : 'import';
}

/**
 * A threshold created under an id that had versions before (deleted, then created again)
 * continues their numbering, so an id and a version always name one state (CONTRACT §7.4).
 */
export function continuing(created: Threshold, lastVersion: number): Threshold {
  return created.version > lastVersion ? created : { ...created, version: lastVersion + 1 };
}
