import { MatchIndex } from '@app/modules/thresholds/catalog/match-index';
import { compareListOrder } from '@app/modules/thresholds/domain/invariants';
import type { MatchRequest, MatchResult } from '@app/modules/thresholds/domain/matching';
import type { Category, Threshold } from '@app/modules/thresholds/domain/threshold';

/** Exact-match filters of a list. `businessType` compares case-insensitively. */
export interface ThresholdFilter {
  category?: Category;
  industryCode?: string;
  businessType?: string;
  isActive?: boolean;
}

/** A position in the list order `priority DESC, created_at DESC, id ASC`: the last item of a page. */
export interface ListPosition {
  priority: number;
  createdAt: Date;
  id: string;
}

export interface ThresholdListQuery {
  filter: ThresholdFilter;
  limit: number;
  /** Start after this position (exclusive). */
  after?: ListPosition;
}

export interface ThresholdPage {
  items: Threshold[];
  /** Whether more items follow the last one. */
  hasMore: boolean;
}

/**
 * The indexed view of every threshold: by id, by category in list order (lists), and per
 * category a match index (matching reads a few bucket heads, not the category). A full reload builds a new one that the catalog swaps in with one assignment. Single
 * changes are applied in place by `upsert`/`remove`, each synchronously (binary search + splice,
 * O(log n) + a memmove): JavaScript runs each to completion, so no reader (all reads are
 * synchronous) can observe a half-applied change, and a write costs microseconds, not a rebuild.
 */
export class CatalogSnapshot {
  private readonly byId = new Map<string, Threshold>();
  private readonly byCategory = new Map<Category, Threshold[]>();
  private readonly matchIndexes = new Map<Category, MatchIndex>();
  /** Every threshold in list order (`priority DESC, created_at DESC, id`). */
  private readonly sorted: Threshold[];
  /** Counts the changes applied to this snapshot: what was derived from it at another count is stale. */
  private changes = 0;

  get generation(): number {
    return this.changes;
  }

  constructor(
    thresholds: Iterable<Threshold>,
    readonly loadedAt: Date,
  ) {
    this.sorted = [...thresholds].sort(compareListOrder);
    for (const t of this.sorted) {
      this.byId.set(t.id, t);
      const list = this.byCategory.get(t.category);
      if (list) list.push(t);
      else this.byCategory.set(t.category, [t]);
      this.matchIndexOf(t.category).add(t);
    }
  }

  private matchIndexOf(category: Category): MatchIndex {
    let index = this.matchIndexes.get(category);
    if (!index) {
      index = new MatchIndex();
      this.matchIndexes.set(category, index);
    }
    return index;
  }

  /** Which threshold applies to `req` (CONTRACT §2.2), from the category's match index. */
  match(req: MatchRequest): MatchResult {
    return this.matchIndexOf(req.category).match(req.category, req);
  }

  get size(): number {
    return this.sorted.length;
  }

  /** Every threshold, in list order. Read-only for callers. */
  get ordered(): readonly Threshold[] {
    return this.sorted;
  }

  get(id: string): Threshold | undefined {
    return this.byId.get(id);
  }

  /** Every threshold of a category (active or not), in list order. */
  ofCategory(category: Category): readonly Threshold[] {
    return this.byCategory.get(category) ?? [];
  }

  list(query: ThresholdListQuery): ThresholdPage {
    const { filter, after, limit } = query;
    const source = filter.category === undefined ? this.sorted : this.ofCategory(filter.category);
    const start = after ? upperBound(source, after) : 0;
    const items: Threshold[] = [];
    for (let i = start; i < source.length; i++) {
      const t = source[i];
      if (!matches(t, filter)) continue;
      if (items.length === limit) return { items, hasMore: true };
      items.push(t);
    }
    return { items, hasMore: false };
  }

  /** Adds or replaces `t`. */
  upsert(t: Threshold): void {
    this.changes++;
    this.remove(t.id);
    this.byId.set(t.id, t);
    insertSorted(this.sorted, t);
    const list = this.byCategory.get(t.category);
    if (list) insertSorted(list, t);
    else this.byCategory.set(t.category, [t]);
    this.matchIndexOf(t.category).add(t);
  }

  remove(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.changes++;
    this.byId.delete(id);
    removeSorted(this.sorted, old);
    const list = this.byCategory.get(old.category);
    if (list) removeSorted(list, old);
    this.matchIndexOf(old.category).remove(old);
  }

  /** Counts for health reporting. */
  counts(): { total: number; active: number; byCategory: Partial<Record<Category, number>> } {
    const byCategory: Partial<Record<Category, number>> = {};
    for (const [category, list] of this.byCategory) byCategory[category] = list.length;
    return { total: this.sorted.length, active: this.sorted.filter((t) => t.isActive).length, byCategory };
  }
}

/** Index of the first element ordered after `key` (list order is total, so exact). */
function upperBound(list: readonly Threshold[], key: Pick<Threshold, 'priority' | 'createdAt' | 'id'>): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareListOrder(list[mid], key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(list: Threshold[], t: Threshold): void {
  list.splice(upperBound(list, t), 0, t);
}

function removeSorted(list: Threshold[], t: Threshold): void {
  const at = upperBound(list, t) - 1;
  if (at >= 0 && list[at].id === t.id) list.splice(at, 1);
}

function matches(t: Threshold, f: ThresholdFilter): boolean {
  return (
    (f.category === undefined || t.category === f.category) &&
    (f.industryCode === undefined || t.industryCode === f.industryCode) &&
    (f.businessType === undefined || t.businessType?.toLowerCase() === f.businessType.toLowerCase()) &&
    (f.isActive === undefined || t.isActive === f.isActive)
  );
}
