import { awaitsReviewBy, type ChangeRequest, type ChangeState } from '@app/modules/changes/domain/change-request';
import {
  ChangeRequestMoved,
  ChangeRequestRepository,
  type ChangeRequestFilter,
  type ChangeRequestPosition,
  type StoredChangeRequest,
} from '@app/modules/changes/persistence/change-request.repository';
import { MemoryTransaction } from '@app/modules/thresholds/persistence/in-memory/memory-transaction';
import type { StoreTransaction } from '@app/modules/thresholds/persistence/threshold.repository';

interface Row extends StoredChangeRequest {
  claimedUntil: Date | null;
}

/** The change request store for local use and tests: a map in process memory. */
export class InMemoryChangeRequestRepository extends ChangeRequestRepository {
  private readonly rows = new Map<string, Row>();

  async insert(request: ChangeRequest): Promise<StoredChangeRequest> {
    if (this.rows.has(request.id)) throw new Error(`change request ${request.id} exists`);
    this.rows.set(request.id, { request: copy(request), rowVersion: 1, claimedUntil: null });
    return { request: copy(request), rowVersion: 1 };
  }

  async findById(id: string): Promise<StoredChangeRequest | null> {
    const row = this.rows.get(id);
    return row ? stored(row) : null;
  }

  async list(
    filter: ChangeRequestFilter,
    limit: number,
    after?: ChangeRequestPosition,
  ): Promise<StoredChangeRequest[]> {
    return [...this.rows.values()]
      .filter(({ request: r }) => filter.state === undefined || r.state === filter.state)
      .filter(({ request: r }) => filter.createdBy === undefined || r.createdBy === filter.createdBy)
      .filter(({ request: r }) => filter.awaitingReviewBy === undefined || awaitsReviewBy(r, filter.awaitingReviewBy))
      .sort((a, b) => newestFirst(a.request, b.request))
      .filter(({ request: r }) => after === undefined || newestFirst(r, after) > 0)
      .slice(0, limit)
      .map(stored);
  }

  async save(next: ChangeRequest, expected: number, tx?: StoreTransaction): Promise<number | null> {
    const row = this.rows.get(next.id);
    if (!row || row.rowVersion !== expected) {
      // Within an apply, a request that moved fails the apply (nothing of it lands).
      if (tx) throw new ChangeRequestMoved(next.id);
      return null;
    }
    const write = (): void => {
      this.rows.set(next.id, { request: copy(next), rowVersion: expected + 1, claimedUntil: row.claimedUntil });
    };
    if (tx instanceof MemoryTransaction) tx.onCommit(write);
    else write();
    return expected + 1;
  }

  async countByState(): Promise<Partial<Record<ChangeState, number>>> {
    const counts: Partial<Record<ChangeState, number>> = {};
    for (const { request } of this.rows.values()) counts[request.state] = (counts[request.state] ?? 0) + 1;
    return counts;
  }

  async due(now: Date, limit: number): Promise<StoredChangeRequest[]> {
    return [...this.rows.values()]
      .filter((row) => row.request.state === 'scheduled' && row.request.scheduledFor! <= now)
      .filter((row) => row.claimedUntil === null || row.claimedUntil <= now)
      .sort((a, b) => a.request.scheduledFor!.getTime() - b.request.scheduledFor!.getTime())
      .slice(0, limit)
      .map(stored);
  }

  async claim(id: string, expected: number, until: Date): Promise<number | null> {
    const row = this.rows.get(id);
    if (!row || row.rowVersion !== expected) return null;
    this.rows.set(id, { ...row, rowVersion: expected + 1, claimedUntil: until });
    return expected + 1;
  }
}

function newestFirst(a: ChangeRequestPosition, b: ChangeRequestPosition): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function stored(row: Row): StoredChangeRequest {
  return { request: copy(row.request), rowVersion: row.rowVersion };
}

function copy(request: ChangeRequest): ChangeRequest {
  return structuredClone(request);
}
