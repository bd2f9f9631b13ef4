import type { StoreTransaction } from '@app/modules/thresholds/persistence/threshold.repository';

/**
 * The memory store's transaction: work joined to an import checks what it can when it is handed
 * the transaction, and queues its writes here; the store runs them right after its own swap,
 * with no await between, so both land or neither does.
 */
export class MemoryTransaction implements StoreTransaction {
  readonly store = 'memory';
  private readonly writes: (() => void)[] = [];

  get handle(): this {
    return this;
  }

  onCommit(write: () => void): void {
    this.writes.push(write);
  }

  commit(): void {
    for (const write of this.writes) write();
  }
}
