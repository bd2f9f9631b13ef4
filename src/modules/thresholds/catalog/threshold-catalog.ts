import { Injectable } from '@nestjs/common';
import { CatalogSnapshot } from '@app/modules/thresholds/catalog/catalog-snapshot';
import { UnavailableError } from '@app/modules/thresholds/domain/errors';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';

/**
 * Holds the current snapshot of every threshold. Reads, matching and classification are served
 * from it (never from the database). A full load replaces it with one reference assignment;
 * single changes (a write here, a notification from another replica) are applied to it in one
 * synchronous step each.
 */
@Injectable()
export class ThresholdCatalog {
  private snapshot: CatalogSnapshot | undefined;

  /** Whether thresholds have been loaded at least once. */
  get loaded(): boolean {
    return this.snapshot !== undefined;
  }

  /** The current snapshot; `UnavailableError` until the first load. */
  current(): CatalogSnapshot {
    if (!this.snapshot) throw new UnavailableError('Thresholds are not loaded yet; retry shortly.', 1);
    return this.snapshot;
  }

  /** The snapshot, or undefined before the first load (for health reporting). */
  peek(): CatalogSnapshot | undefined {
    return this.snapshot;
  }

  replaceAll(thresholds: Iterable<Threshold>): void {
    this.snapshot = new CatalogSnapshot(thresholds, new Date());
  }

  /**
   * Applies one stored threshold (after a write, or a notification). Versions only go up, so an
   * older read arriving late never replaces a newer state. A no-op before the first load.
   */
  upsert(t: Threshold): void {
    const known = this.snapshot?.get(t.id);
    if (this.snapshot && (!known || known.version < t.version)) this.snapshot.upsert(t);
  }

  remove(id: string): void {
    this.snapshot?.remove(id);
  }

  /** The version this replica holds for `id` (0 when absent). */
  versionOf(id: string): number {
    return this.snapshot?.get(id)?.version ?? 0;
  }
}
