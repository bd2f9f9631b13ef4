/**
 * Notifications that stored thresholds changed, from any replica. The in-memory store has none
 * (one process); the Postgres store uses LISTEN/NOTIFY.
 */
export abstract class ThresholdChangeFeed {
  /** Calls `onChange` with the ids of changed thresholds, and `onReconnect` after the feed was cut (changes may have been missed). */
  abstract subscribe(handlers: { onChange: (ids: string[]) => void; onReconnect: () => void }): void;
  abstract close(): Promise<void>;
}

export class NoChangeFeed extends ThresholdChangeFeed {
  subscribe(): void {}
  async close(): Promise<void> {}
}
