import type { Category } from '@app/modules/thresholds/domain/threshold';
import type { Observation, WindowObservation } from '@app/modules/observations/domain/observation';

/** Which observations a window read sums: days `from` to `to` (inclusive, `YYYY-MM-DD`), optionally one key's parts. */
export interface ObservationQuery {
  from: string;
  to: string;
  category?: Category;
  /** A prefix, upper-cased (as matching compares codes): '62' reads 62, 6201, 62A… */
  industryCode?: string;
  /** Exact, lower-cased; '' for observations without one. */
  businessType?: string;
}

/**
 * Where score observations are kept (CONTRACT §8.1): counts per (day, category, industry code,
 * business type, score), nothing else. Adds are additive, so replicas never coordinate.
 */
export abstract class ObservationStore {
  /** Adds each observation's count to what is stored under its key (one statement per batch). */
  abstract add(observations: readonly Observation[]): Promise<void>;

  /** The observations of a window, summed over its days: one row per (key, score). */
  abstract window(query: ObservationQuery): Promise<WindowObservation[]>;

  /**
   * Removes what is older than day `before` in whole units of storage (a month's partition is
   * dropped once every day of it is older); answers the units removed (e.g. `2025-10`).
   */
  abstract prune(before: string): Promise<string[]>;

  /** Makes sure observations of the months from `from` to `to` (days) can be stored. */
  abstract prepare(from: string, to: string): Promise<void>;
}
