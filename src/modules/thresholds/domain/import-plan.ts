import { ConflictError, ValidationError, type Violation } from './errors';
import { findDefaultConflicts } from './invariants';
import { nextVersion, sameFields, type Threshold, type ThresholdFields } from './threshold';

/** One validated item of an import file. `pointer` locates it in the body, e.g. `/thresholds/3`. */
export interface ImportCandidate {
  pointer: string;
  id?: string;
  fields: ThresholdFields;
  version?: number;
  createdAt?: Date;
  updatedAt?: Date;
  createdBy?: string;
  lastModifiedBy?: string;
}

export type ImportMode = 'upsert' | 'replace';

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface PlannedImport {
  creates: Threshold[];
  updates: { threshold: Threshold; expectedVersion: number }[];
  deletes: { id: string; expectedVersion: number }[];
  counts: ImportCounts;
}

/**
 * Works out what an import does to `stored` (CONTRACT §3.3), without doing it:
 * - an item whose id is stored and whose fields are identical is `unchanged` (keeps its version);
 * - an item whose id is stored with other fields is an update (version + 1, `actor`, `now`);
 * - any other item is created, keeping the id, version, timestamps and authors it carries, so an
 *   export imported into an empty store comes back field for field;
 * - in `replace` mode, stored thresholds the file does not name are deleted.
 * The resulting set must keep one active default per category, else `ConflictError`.
 */
export function planImport(
  stored: readonly Threshold[],
  items: readonly ImportCandidate[],
  opts: { mode: ImportMode; actor: string; now: Date; newId: () => string },
): PlannedImport {
  assertUniqueIds(items);
  const byId = new Map(stored.map((t) => [t.id, t]));
  const plan: PlannedImport = {
    creates: [],
    updates: [],
    deletes: [],
    counts: { created: 0, updated: 0, unchanged: 0, deleted: 0 },
  };
  const result = new Map(byId);
  const origin = new Map<string, string>();

  for (const item of items) {
    const current = item.id === undefined ? undefined : byId.get(item.id);
    if (current && sameFields(current, item.fields)) {
      plan.counts.unchanged += 1;
      origin.set(current.id, item.pointer);
      continue;
    }
    if (current) {
      const threshold = nextVersion(current, item.fields, opts.actor, opts.now);
      plan.updates.push({ threshold, expectedVersion: current.version });
      plan.counts.updated += 1;
      result.set(threshold.id, threshold);
      origin.set(threshold.id, item.pointer);
      continue;
    }
    const createdAt = item.createdAt ?? item.updatedAt ?? opts.now;
    const createdBy = item.createdBy ?? opts.actor;
    const threshold: Threshold = {
      ...item.fields,
      id: item.id ?? opts.newId(),
      version: item.version ?? 1,
      createdAt,
      updatedAt: item.updatedAt ?? createdAt,
      createdBy,
      lastModifiedBy: item.lastModifiedBy ?? createdBy,
    };
    plan.creates.push(threshold);
    plan.counts.created += 1;
    result.set(threshold.id, threshold);
    origin.set(threshold.id, item.pointer);
  }

  if (opts.mode === 'replace') {
    for (const t of stored) {
      if (!origin.has(t.id)) {
        plan.deletes.push({ id: t.id, expectedVersion: t.version });
        plan.counts.deleted += 1;
        result.delete(t.id);
      }
    }
  }

  const conflicts = findDefaultConflicts(result.values());
  if (conflicts.length > 0) {
    const violations: Violation[] = conflicts.flatMap(({ category, ids }) =>
      ids
        .filter((id) => origin.has(id))
        .map((id) => ({
          field: `${origin.get(id)}/is_default`,
          message: `category '${category}' would have ${ids.length} active defaults (${ids.join(', ')})`,
          code: 'default_exists',
        })),
    );
    const summary = conflicts.map((c) => `'${c.category}' (${c.ids.join(', ')})`).join('; ');
    throw new ConflictError(`The import would leave more than one active default in ${summary}.`, violations);
  }
  return plan;
}

function assertUniqueIds(items: readonly ImportCandidate[]): void {
  const first = new Map<string, string>();
  const violations: Violation[] = [];
  for (const item of items) {
    if (item.id === undefined) continue;
    const seen = first.get(item.id);
    if (seen !== undefined) {
      violations.push({ field: `${item.pointer}/id`, message: `repeats the id of ${seen}`, code: 'duplicate_id' });
    } else {
      first.set(item.id, item.pointer);
    }
  }
  if (violations.length > 0) throw new ValidationError(violations, 'The import names the same id more than once.');
}
