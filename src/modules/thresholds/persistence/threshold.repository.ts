import type { HistoryEntry } from '@app/modules/thresholds/domain/history';
import type { Threshold, ThresholdChanges } from '@app/modules/thresholds/domain/threshold';
import type {
  ConditionalWrite,
  IdempotencyClaim,
  NewThreshold,
  WriteContext,
} from '@app/modules/thresholds/domain/writes';

/**
 * A store's transaction, handed to work that must commit with an import. Opaque outside the
 * adapters: PostgreSQL's holds the transaction's EntityManager; the memory store's collects
 * writes to run at its commit.
 */
export interface StoreTransaction {
  readonly store: 'postgres' | 'memory';
  readonly handle: unknown;
}

/** What a create with that key produced (kept 24 h). */
export interface IdempotentCreate {
  fingerprint: string;
  threshold: Threshold;
}

/** How long an `Idempotency-Key` is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Raised by `create` when another create already used the same (actor, key). */
export class IdempotencyKeyTaken extends Error {
  constructor() {
    super('Idempotency-Key already used');
  }
}

/**
 * An import computed by the service: what to create (complete thresholds, kept as given),
 * update (complete new state, valid only if the stored version is still `expectedVersion`)
 * and delete. A store applies it whole or not at all.
 */
export interface ImportPlan {
  creates: Threshold[];
  updates: { threshold: Threshold; expectedVersion: number }[];
  deletes: { id: string; expectedVersion: number }[];
}

/**
 * The threshold store. Every adapter enforces, itself and atomically:
 * - ids are unique (`ConflictError`),
 * - at most one active default per category (`ConflictError`),
 * - a conditional write fails with `PreconditionFailedError` when the version moved,
 * - a missing threshold is `NotFoundError`,
 * - every write records one history entry per threshold it changes (actor, request id), in the
 *   same atomic step; a failed write records none,
 * - a failed write leaves the store exactly as it was,
 * - what it returns is a copy: callers cannot change what it holds.
 */
export abstract class ThresholdRepository {
  /** Every threshold, inactive included, in no particular order (the catalog orders them). */
  abstract findAll(): Promise<Threshold[]>;

  abstract findById(id: string): Promise<Threshold | null>;

  /** The stored thresholds among `ids` (missing ones left out), in any order. */
  abstract findByIds(ids: readonly string[]): Promise<Threshold[]>;

  /**
   * Stores a new threshold at version 1. With `idempotency`, the (actor, key) and the result are
   * stored in the same atomic step; a key already stored fails with `IdempotencyKeyTaken` and
   * creates nothing.
   */
  abstract create(input: NewThreshold, ctx: WriteContext, idempotency?: IdempotencyClaim): Promise<Threshold>;

  /** The create an (actor, key) produced within the last 24 h, if any. */
  abstract findIdempotentCreate(actor: string, key: string): Promise<IdempotentCreate | null>;

  /** Forgets idempotency keys stored before `before`; answers how many. */
  abstract forgetIdempotencyKeys(before: Date): Promise<number>;

  /**
   * Applies `changes` and bumps the version. A change that leaves every field as it was is
   * no change: the stored threshold comes back as it is, at the same version.
   */
  abstract update(id: string, changes: ThresholdChanges, ctx: ConditionalWrite): Promise<Threshold>;

  /** Removes a threshold and returns what was removed. */
  abstract delete(id: string, ctx: ConditionalWrite): Promise<Threshold>;

  /**
   * Applies an import plan atomically; history entries have the action `import`. `alsoInTransaction`
   * is work that commits with it or not at all (a change request marked applied): it gets the
   * store's transaction, and a failure of it fails the import.
   */
  abstract applyImport(
    plan: ImportPlan,
    ctx: WriteContext,
    alsoInTransaction?: (tx: StoreTransaction) => Promise<void>,
  ): Promise<void>;

  /** The audit trail of a threshold, newest first (kept after a delete); empty when none. */
  abstract history(id: string): Promise<HistoryEntry[]>;

  /**
   * What it takes to walk the catalog back to `after`, read at one instant (no write between):
   * every stored threshold, and the trail of every threshold written after `after`: its entries
   * after `after` and the newest one at or before it (what wrote the state it had then), each
   * threshold's newest first. Older entries are not needed to walk back to that instant.
   */
  abstract storedWithTrailsSince(after: Date): Promise<{ stored: Threshold[]; trails: HistoryEntry[] }>;

  /**
   * A cheap token that changes whenever the stored thresholds change (compared before a full
   * reload, so a periodic resync costs one small query when nothing changed).
   */
  abstract revision(): Promise<string>;
}
