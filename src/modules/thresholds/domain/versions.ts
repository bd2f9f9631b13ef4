import { NotFoundError } from './errors';
import type { HistoryAction, HistoryEntry } from './history';
import { FIELD_NAMES, SYSTEM_ACTOR, type Threshold, type ThresholdFields } from './threshold';

/** How a version came to be: a write in the audit trail, or the seed data (which has none). */
export type VersionOrigin = HistoryAction | 'seed';

/** The complete state of a threshold at one version, rebuilt from its audit trail (CONTRACT §7.4). */
export interface ThresholdVersion {
  thresholdId: string;
  version: number;
  fields: ThresholdFields;
  origin: VersionOrigin;
  /** Who wrote it and when: from the trail; for a seed, the stored row's creation when known. */
  writtenBy: string | null;
  writtenAt: Date | null;
  requestId: string | null;
  /** When a later write replaced it or a delete removed it; null while it is the stored state. */
  supersededAt: Date | null;
  /** Whether the write that ended it was a delete (the threshold no longer existed after it). */
  deleted: boolean;
}

/** Whether an entry brought a threshold into existence (a create, or an import that created it). */
function isCreation(entry: HistoryEntry): boolean {
  return entry.action === 'create' || (entry.changes.name !== undefined && entry.changes.name.from === null);
}

/** Whether an entry removed a threshold (a delete, or an import that deleted it). */
function isRemoval(entry: HistoryEntry): boolean {
  return entry.action === 'delete' || (entry.changes.name !== undefined && entry.changes.name.to === null);
}

/** The fields as they were before `entry`, given the fields after it. */
function undo(after: ThresholdFields, entry: HistoryEntry): ThresholdFields {
  const before = { ...after } as unknown as Record<string, unknown>;
  for (const field of FIELD_NAMES) {
    const change = entry.changes[field];
    if (change) before[field] = change.from;
  }
  return before as unknown as ThresholdFields;
}

/** The fields a removal took away: every field's `from`. */
function removed(entry: HistoryEntry): ThresholdFields {
  return Object.fromEntries(
    FIELD_NAMES.map((field) => [field, entry.changes[field]?.from ?? null]),
  ) as unknown as ThresholdFields;
}

/**
 * Every version of a threshold, newest first, rebuilt by walking its audit trail backwards from
 * the stored state (`current`, null when deleted): each update is undone with the `from` values
 * it recorded, and a removal recorded every field. Walking backwards is what lets a seed, whose
 * first version has no trail entry, still have its version 1. A threshold deleted and created
 * again under the same id has one run of versions per life; the newest comes first.
 */
export function versionsOf(current: Threshold | null, trailNewestFirst: readonly HistoryEntry[]): ThresholdVersion[] {
  const id = current?.id ?? trailNewestFirst[0]?.thresholdId;
  const versions: ThresholdVersion[] = [];
  const versionOf = (at: WalkState, entry: HistoryEntry | null): ThresholdVersion => ({
    thresholdId: id,
    version: at.version,
    fields: pick(at.fields),
    origin: entry?.action ?? 'seed',
    writtenBy: entry ? entry.actor : (current?.createdBy ?? null),
    writtenAt: entry ? entry.at : (current?.createdAt ?? null),
    requestId: entry?.requestId ?? null,
    supersededAt: at.endedAt,
    deleted: at.deleted,
  });
  let state: WalkState | null = current
    ? { fields: current, version: current.version, endedAt: null, deleted: false }
    : null;
  for (const entry of trailNewestFirst) {
    if (isRemoval(entry)) {
      // Before the removal: the full state it recorded, at the version it removed.
      state = { fields: removed(entry), version: entry.version, endedAt: entry.at, deleted: true };
      continue;
    }
    if (state === null) continue; // a trail that does not reach the stored state: nothing to rebuild from
    versions.push(versionOf(state, entry));
    state = isCreation(entry)
      ? null
      : { fields: undo(state.fields, entry), version: state.version - 1, endedAt: entry.at, deleted: false };
  }
  // What is left had no entry that wrote it: a seed's first version, created with the stored row.
  if (state !== null && state.version >= 1) versions.push(versionOf(state, null));
  return versions;
}

/** A state met while walking a trail backwards, and how it ended. */
interface WalkState {
  fields: ThresholdFields;
  version: number;
  endedAt: Date | null;
  deleted: boolean;
}

/** The client fields only, copied. */
function pick(fields: ThresholdFields): ThresholdFields {
  return structuredClone(Object.fromEntries(FIELD_NAMES.map((f) => [f, fields[f]]))) as unknown as ThresholdFields;
}

/**
 * One version of threshold `id` (for an id deleted and created again, the newest life that had
 * it); `NotFoundError` for an id that never existed or a version it never had.
 */
export function versionOf(
  id: string,
  version: number,
  current: Threshold | null,
  trailNewestFirst: readonly HistoryEntry[],
): ThresholdVersion {
  if (!current && trailNewestFirst.length === 0) throw new NotFoundError('Threshold', id);
  const found = versionsOf(current, trailNewestFirst).find((v) => v.version === version);
  if (!found) throw new NotFoundError('Version', `${version} of threshold ${id}`);
  return found;
}

/**
 * The thresholds as they stood at instant `asOf` (CONTRACT §7.4), from the stored ones and the
 * trails of those written after it (`storedWithTrailsSince(asOf)`: the entries after it and the
 * newest one at or before it, or the whole trails; either gives the same answer): each is walked
 * back to the version that was current then; one created after `asOf` did not exist yet, one
 * deleted after it did. `updatedAt` is when that version was written, as the matching order
 * needs; a deleted seed's first version has no recorded time and counts as the oldest.
 */
export function catalogAsOf(stored: readonly Threshold[], trails: readonly HistoryEntry[], asOf: Date): Threshold[] {
  const at = asOf.getTime();
  const byId = new Map<string, HistoryEntry[]>();
  for (const entry of trails) {
    const trail = byId.get(entry.thresholdId);
    if (trail) trail.push(entry);
    else byId.set(entry.thresholdId, [entry]);
  }
  const storedById = new Map(stored.map((t) => [t.id, t]));
  const thresholds: Threshold[] = stored.filter((t) => !byId.has(t.id) && t.createdAt.getTime() <= at);
  for (const [id, trail] of byId) {
    const current = storedById.get(id) ?? null;
    const then = stateAt(current, trail, at);
    if (!then) continue;
    const writtenAt = then.writtenAt ?? new Date(0);
    thresholds.push({
      ...then.fields,
      id,
      version: then.version,
      createdAt: current?.createdAt ?? writtenAt,
      updatedAt: writtenAt,
      createdBy: current?.createdBy ?? then.writtenBy ?? SYSTEM_ACTOR,
      lastModifiedBy: then.writtenBy ?? SYSTEM_ACTOR,
    });
  }
  return thresholds;
}

/**
 * The state a threshold had at instant `at` (null: it did not exist), walking its trail back from
 * the stored state only through the entries after `at` (the same steps as `versionsOf`, without
 * building every version: far back, a catalog walks most of the trail).
 */
function stateAt(
  current: Threshold | null,
  trailNewestFirst: readonly HistoryEntry[],
  at: number,
): { fields: ThresholdFields; version: number; writtenAt: Date | null; writtenBy: string | null } | null {
  let fields: ThresholdFields | null = current;
  let version = current?.version ?? 0;
  for (const entry of trailNewestFirst) {
    if (entry.at.getTime() <= at) {
      // The newest entry at or before the instant wrote the state it had then.
      return fields && { fields, version, writtenAt: entry.at, writtenBy: entry.actor };
    }
    if (isRemoval(entry)) {
      fields = removed(entry);
      version = entry.version;
    } else if (fields === null) {
      continue; // a trail that does not reach the stored state: nothing to walk back from
    } else if (isCreation(entry)) {
      fields = null;
    } else {
      fields = undo(fields, entry);
      version -= 1;
    }
  }
  // No entry at or before the instant: a seed's first version, created with the stored row.
  if (!fields || version < 1) return null;
  const writtenAt = current?.createdAt ?? null;
  return writtenAt && writtenAt.getTime() > at
    ? null
    : { fields, version, writtenAt, writtenBy: current?.createdBy ?? null };
}
