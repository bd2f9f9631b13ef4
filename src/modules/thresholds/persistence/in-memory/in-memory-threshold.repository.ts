import { randomUUID } from 'node:crypto';
import { NotFoundError, PreconditionFailedError, ConflictError } from '@app/modules/thresholds/domain/errors';
import {
  compareListOrder,
  defaultConflictError,
  duplicateIdError,
  findDefaultConflicts,
} from '@app/modules/thresholds/domain/invariants';
import {
  applyChanges,
  cloneThreshold,
  canonicalId,
  newThreshold,
  nextVersion,
  sameFields,
  type Threshold,
  type ThresholdChanges,
} from '@app/modules/thresholds/domain/threshold';
import { continuing, historyEntry, importAction, type HistoryEntry } from '@app/modules/thresholds/domain/history';
import { MemoryTransaction } from '@app/modules/thresholds/persistence/in-memory/memory-transaction';
import {
  IDEMPOTENCY_TTL_MS,
  IdempotencyKeyTaken,
  ThresholdRepository,
  type IdempotentCreate,
  type ImportPlan,
  type StoreTransaction,
} from '@app/modules/thresholds/persistence/threshold.repository';
import type {
  ConditionalWrite,
  IdempotencyClaim,
  NewThreshold,
  WriteContext,
} from '@app/modules/thresholds/domain/writes';

/**
 * The store for local use and tests: a map in process memory. Every write builds the next
 * state aside, checks the invariants on it, then swaps it in, so a failed write changes nothing.
 */
export class InMemoryThresholdRepository extends ThresholdRepository {
  private readonly rows = new Map<string, Threshold>();
  private readonly log: HistoryEntry[] = [];
  private readonly idempotency = new Map<string, IdempotentCreate & { at: Date }>();

  constructor(
    initial: readonly Threshold[] = [],
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
    for (const t of initial) this.rows.set(t.id, cloneThreshold(t));
  }

  async findAll(): Promise<Threshold[]> {
    return this.sorted().map(cloneThreshold);
  }

  async findById(id: string): Promise<Threshold | null> {
    const t = this.rows.get(id);
    return t ? cloneThreshold(t) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Threshold[]> {
    return ids.flatMap((id) => {
      const t = this.rows.get(id);
      return t ? [cloneThreshold(t)] : [];
    });
  }

  async create(input: NewThreshold, ctx: WriteContext, idempotency?: IdempotencyClaim): Promise<Threshold> {
    const id = canonicalId(input.id ?? randomUUID());
    const claim = idempotency ? idempotencyKeyOf(ctx.actor, idempotency.key) : undefined;
    if (claim !== undefined && this.live(claim)) throw new IdempotencyKeyTaken();
    if (this.rows.has(id)) throw duplicateIdError(id);
    const now = this.clock();
    const created = continuing(newThreshold(input, id, ctx.actor, now), this.lastVersion(id));
    this.assertDefaultRule(created);
    this.rows.set(id, cloneThreshold(created));
    this.log.push(historyEntry('create', null, created, ctx, now));
    if (claim !== undefined && idempotency) {
      this.idempotency.set(claim, {
        fingerprint: idempotency.fingerprint,
        threshold: cloneThreshold(created),
        at: now,
      });
    }
    return cloneThreshold(created);
  }

  async findIdempotentCreate(actor: string, key: string): Promise<IdempotentCreate | null> {
    const found = this.live(idempotencyKeyOf(actor, key));
    return found ? { fingerprint: found.fingerprint, threshold: cloneThreshold(found.threshold) } : null;
  }

  async forgetIdempotencyKeys(before: Date): Promise<number> {
    let forgotten = 0;
    for (const [k, v] of this.idempotency) {
      if (v.at < before && this.idempotency.delete(k)) forgotten++;
    }
    return forgotten;
  }

  private live(claim: string): (IdempotentCreate & { at: Date }) | undefined {
    const found = this.idempotency.get(claim);
    return found && this.clock().getTime() - found.at.getTime() < IDEMPOTENCY_TTL_MS ? found : undefined;
  }

  async update(id: string, changes: ThresholdChanges, ctx: ConditionalWrite): Promise<Threshold> {
    const current = this.getForWrite(id, ctx.expectedVersion);
    const fields = applyChanges(current, changes);
    if (sameFields(fields, current)) return cloneThreshold(current);
    const next = nextVersion(current, fields, ctx.actor, this.clock());
    this.assertDefaultRule(next);
    this.rows.set(id, cloneThreshold(next));
    this.log.push(historyEntry('update', current, next, ctx, next.updatedAt));
    return cloneThreshold(next);
  }

  async delete(id: string, ctx: ConditionalWrite): Promise<Threshold> {
    const current = this.getForWrite(id, ctx.expectedVersion);
    this.rows.delete(id);
    this.log.push(historyEntry('delete', current, null, ctx, this.clock()));
    return cloneThreshold(current);
  }

  async applyImport(
    plan: ImportPlan,
    ctx: WriteContext,
    alsoInTransaction?: (tx: StoreTransaction) => Promise<void>,
  ): Promise<void> {
    if (alsoInTransaction) {
      const tx = new MemoryTransaction();
      await alsoInTransaction(tx);
      // Checked again after the await, with no await until the commit: a write that came
      // between fails this import, whose joined work then never runs.
      this.applyImportNow(plan, ctx);
      tx.commit();
      return;
    }
    this.applyImportNow(plan, ctx);
  }

  private applyImportNow(plan: ImportPlan, ctx: WriteContext): void {
    const next = new Map(this.rows);
    const entries: HistoryEntry[] = [];
    const at = this.clock();
    for (const { id, expectedVersion } of plan.deletes) {
      const current = this.getForWrite(id, expectedVersion);
      next.delete(id);
      entries.push(historyEntry(importAction(ctx, 'delete'), current, null, ctx, at));
    }
    for (const { threshold, expectedVersion } of plan.updates) {
      const current = this.getForWrite(threshold.id, expectedVersion);
      next.set(threshold.id, cloneThreshold(threshold));
      entries.push(historyEntry(importAction(ctx, 'update'), current, threshold, ctx, at));
    }
    for (const planned of plan.creates) {
      if (next.has(planned.id)) throw duplicateIdError(planned.id);
      const t = continuing(planned, this.lastVersion(planned.id));
      next.set(t.id, cloneThreshold(t));
      entries.push(historyEntry(importAction(ctx, 'create'), null, t, ctx, at));
    }
    const conflict = findDefaultConflicts(next.values())[0];
    if (conflict) {
      throw new ConflictError(
        `The import would leave category '${conflict.category}' with ${conflict.ids.length} active defaults (${conflict.ids.join(', ')}).`,
      );
    }
    this.rows.clear();
    for (const [id, t] of next) this.rows.set(id, t);
    this.log.push(...entries);
  }

  /** The highest version an id ever had (0: never used): a threshold created again continues from it. */
  private lastVersion(id: string): number {
    let last = 0;
    for (const e of this.log) if (e.thresholdId === id && e.version > last) last = e.version;
    return last;
  }

  async revision(): Promise<string> {
    return String(this.log.length);
  }

  async history(id: string): Promise<HistoryEntry[]> {
    return this.log
      .filter((e) => e.thresholdId === id)
      .reverse()
      .map(copyEntry);
  }

  async storedWithTrailsSince(after: Date): Promise<{ stored: Threshold[]; trails: HistoryEntry[] }> {
    const since = this.log.filter((e) => e.at.getTime() > after.getTime());
    const changed = new Set(since.map((e) => e.thresholdId));
    // Each changed threshold's newest entry at or before the instant: what wrote the state it had then.
    const before = new Map<string, HistoryEntry>();
    for (const e of this.log)
      if (changed.has(e.thresholdId) && e.at.getTime() <= after.getTime()) before.set(e.thresholdId, e);
    const trails = [...before.values(), ...since].reverse().map(copyEntry);
    return { stored: [...this.rows.values()].map(cloneThreshold), trails };
  }

  private sorted(): Threshold[] {
    return [...this.rows.values()].sort(compareListOrder);
  }

  private getForWrite(id: string, expectedVersion: number | undefined): Threshold {
    const current = this.rows.get(id);
    if (!current) throw new NotFoundError('Threshold', id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new PreconditionFailedError(id, current.version);
    }
    return current;
  }

  private assertDefaultRule(candidate: Threshold): void {
    if (!candidate.isActive || !candidate.isDefault) return;
    for (const other of this.rows.values()) {
      if (other.id !== candidate.id && other.isActive && other.isDefault && other.category === candidate.category) {
        throw defaultConflictError(candidate.category, other.id);
      }
    }
  }
}

function idempotencyKeyOf(actor: string, key: string): string {
  return `${actor}\u0000${key}`;
}

function copyEntry(e: HistoryEntry): HistoryEntry {
  return {
    ...e,
    at: new Date(e.at.getTime()),
    changes: JSON.parse(JSON.stringify(e.changes)) as HistoryEntry['changes'],
    approvers: e.approvers === null ? null : [...e.approvers],
  };
}
