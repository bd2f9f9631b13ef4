import { compareListOrder } from '@app/modules/thresholds/domain/invariants';
import type { Category, Threshold } from '@app/modules/thresholds/domain/threshold';
import type {
  ThresholdFilter,
  ThresholdListQuery,
  ThresholdPage,
} from '@app/modules/thresholds/persistence/threshold.repository';

/**
 * An immutable, indexed view of every threshold: by id, and by category in list order (what
 * matching scans). Built whole and never changed, so a reader holding one never sees a
 * half-applied update; the catalog swaps in a new one after each change.
 */
export class CatalogSnapshot {
  private readonly byId: ReadonlyMap<string, Threshold>;
  private readonly byCategory: ReadonlyMap<Category, readonly Threshold[]>;
  /** Every threshold in list order (`priority DESC, created_at DESC, id`). */
  readonly ordered: readonly Threshold[];

  constructor(
    thresholds: Iterable<Threshold>,
    readonly loadedAt: Date,
  ) {
    this.ordered = Object.freeze([...thresholds].sort(compareListOrder));
    this.byId = new Map(this.ordered.map((t) => [t.id, t]));
    const byCategory = new Map<Category, Threshold[]>();
    for (const t of this.ordered) {
      const list = byCategory.get(t.category);
      if (list) list.push(t);
      else byCategory.set(t.category, [t]);
    }
    this.byCategory = byCategory;
  }

  get size(): number {
    return this.ordered.length;
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
    const source = filter.category === undefined ? this.ordered : this.ofCategory(filter.category);
    const items: Threshold[] = [];
    for (const t of source) {
      if ((after && compareListOrder(t, after) <= 0) || !matches(t, filter)) continue;
      if (items.length === limit) return { items, hasMore: true };
      items.push(t);
    }
    return { items, hasMore: false };
  }

  /** A new snapshot with `t` added or replaced. */
  with(t: Threshold, at: Date): CatalogSnapshot {
    return new CatalogSnapshot([...this.ordered.filter((x) => x.id !== t.id), t], at);
  }

  /** A new snapshot without `id`. */
  without(id: string, at: Date): CatalogSnapshot {
    return new CatalogSnapshot(
      this.ordered.filter((x) => x.id !== id),
      at,
    );
  }

  /** Counts for health reporting. */
  counts(): { total: number; active: number; byCategory: Partial<Record<Category, number>> } {
    const byCategory: Partial<Record<Category, number>> = {};
    for (const [category, list] of this.byCategory) byCategory[category] = list.length;
    return { total: this.ordered.length, active: this.ordered.filter((t) => t.isActive).length, byCategory };
  }
}

function matches(t: Threshold, f: ThresholdFilter): boolean {
  return (
    (f.category === undefined || t.category === f.category) &&
    (f.industryCode === undefined || t.industryCode === f.industryCode) &&
    (f.businessType === undefined || t.businessType?.toLowerCase() === f.businessType.toLowerCase()) &&
    (f.isActive === undefined || t.isActive === f.isActive)
  );
}
