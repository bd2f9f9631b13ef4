/** A stored threshold changed: its id and the version it now has (0: deleted). */
export interface ThresholdChange {
  id: string;
  version: number;
}

/**
 * Notifications that stored thresholds changed, from any replica. The in-memory store has none
 * (one process); the Postgres store uses LISTEN/NOTIFY.
 */
export abstract class ThresholdChangeFeed {
  /** Calls `onChange` for changed thresholds, and `onReconnect` after the feed was cut (changes may have been missed). */
  abstract subscribe(handlers: { onChange: (change: ThresholdChange) => void; onReconnect: () => void }): void;
  abstract close(): Promise<void>;
}

export class NoChangeFeed extends ThresholdChangeFeed {
  subscribe(): void {}
  async close(): Promise<void> {}
}
