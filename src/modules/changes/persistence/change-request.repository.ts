import type { ChangeRequest, ChangeState } from '@app/modules/changes/domain/change-request';
import type { StoreTransaction } from '@app/modules/thresholds/persistence/threshold.repository';

/** A stored request and its row version: every save names the version it read. */
export interface StoredChangeRequest {
  request: ChangeRequest;
  rowVersion: number;
}

export interface ChangeRequestFilter {
  state?: ChangeState;
  createdBy?: string;
  /** Requests this person may review now: in review (or applied in an emergency, unreviewed), not written by them, not yet reviewed by them at this revision. */
  awaitingReviewBy?: string;
}

/** A save inside an apply (with a transaction) found the request moved: the apply fails whole. */
export class ChangeRequestMoved extends Error {
  constructor(id: string) {
    super(`change request ${id} changed while it was being applied`);
  }
}

/** Where a page of the list (newest first) continues after. */
export interface ChangeRequestPosition {
  createdAt: Date;
  id: string;
}

/**
 * The change request store. Every adapter, atomically:
 * - a save happens only if the stored row version is still the one read (else `null`): of two
 *   transitions from the same state, one wins;
 * - reviews are kept in the order given and never lost by a later save;
 * - what it returns is a copy.
 */
export abstract class ChangeRequestRepository {
  abstract insert(request: ChangeRequest): Promise<StoredChangeRequest>;

  abstract findById(id: string): Promise<StoredChangeRequest | null>;

  /** Newest first (created_at, then id, descending), after `after`. */
  abstract list(
    filter: ChangeRequestFilter,
    limit: number,
    after?: ChangeRequestPosition,
  ): Promise<StoredChangeRequest[]>;

  /**
   * Saves `next` if the row version is still `expected`, answering the new row version, or null
   * when it moved. With `tx`, inside that store transaction (an apply: with the thresholds), and a
   * moved request throws `ChangeRequestMoved`, failing the transaction.
   */
  abstract save(next: ChangeRequest, expected: number, tx?: StoreTransaction): Promise<number | null>;

  /** How many requests are in each state (states with none left out). */
  abstract countByState(): Promise<Partial<Record<ChangeState, number>>>;

  /** Scheduled requests due at `now` and not claimed by a live claim, oldest first. */
  abstract due(now: Date, limit: number): Promise<StoredChangeRequest[]>;

  /**
   * Claims a due request for one replica until `until` (a conditional update: of replicas that
   * race, one wins); answers the claimed row version, or null when another replica has it.
   */
  abstract claim(id: string, expected: number, until: Date): Promise<number | null>;
}
