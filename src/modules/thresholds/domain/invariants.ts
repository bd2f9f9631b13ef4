import { ConflictError } from './errors';
import type { Category, Threshold } from './threshold';

/** The list order of CONTRACT §3.1: `priority DESC, created_at DESC, id ASC`. Negative when `a` comes first. */
export function compareListOrder(
  a: Pick<Threshold, 'priority' | 'createdAt' | 'id'>,
  b: Pick<Threshold, 'priority' | 'createdAt' | 'id'>,
): number {
  return (
    b.priority - a.priority || b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Categories that would hold more than one active default, with the ids involved. */
export function findDefaultConflicts(thresholds: Iterable<Threshold>): { category: Category; ids: string[] }[] {
  const byCategory = new Map<Category, string[]>();
  for (const t of thresholds) {
    if (t.isActive && t.isDefault) {
      byCategory.set(t.category, [...(byCategory.get(t.category) ?? []), t.id]);
    }
  }
  return [...byCategory].filter(([, ids]) => ids.length > 1).map(([category, ids]) => ({ category, ids: ids.sort() }));
}

/** The conflict raised when a write would leave two active defaults in a category. */
export function defaultConflictError(category: Category, existingId: string): ConflictError {
  return new ConflictError(
    `Category '${category}' already has an active default (${existingId}); deactivate it or unset its is_default first.`,
    [{ field: '/is_default', message: `category '${category}' already has an active default`, code: 'default_exists' }],
  );
}

export function duplicateIdError(id: string): ConflictError {
  return new ConflictError(`A threshold with id ${id} already exists.`, [
    { field: '/id', message: 'already exists', code: 'duplicate_id' },
  ]);
}
