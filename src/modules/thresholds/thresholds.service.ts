import { Injectable } from '@nestjs/common';
import type { ListPosition, ThresholdFilter, ThresholdPage } from '@app/modules/thresholds/catalog/catalog-snapshot';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import { AppConfig } from '@app/modules/config/app-config';
import { ApprovalRequiredError, ConflictError, NotFoundError } from '@app/modules/thresholds/domain/errors';
import type { HistoryEntry } from '@app/modules/thresholds/domain/history';
import type { Threshold, ThresholdChanges } from '@app/modules/thresholds/domain/threshold';
import { versionOf, type ThresholdVersion } from '@app/modules/thresholds/domain/versions';
import {
  IdempotencyKeyTaken,
  ThresholdRepository,
  type IdempotentCreate,
} from '@app/modules/thresholds/persistence/threshold.repository';
import type {
  ConditionalWrite,
  IdempotencyClaim,
  NewThreshold,
  WriteContext,
} from '@app/modules/thresholds/domain/writes';

function replay(prior: IdempotentCreate, claim: IdempotencyClaim): Threshold {
  if (prior.fingerprint !== claim.fingerprint) {
    throw new ConflictError(
      'This Idempotency-Key was used with a different request; use a new key for a different threshold.',
      [
        {
          field: '/',
          message: 'does not match the request first sent with this Idempotency-Key',
          code: 'idempotency_mismatch',
        },
      ],
    );
  }
  return prior.threshold;
}

/**
 * Reads single thresholds from the catalog and writes them through the store, applying each
 * acknowledged write to this replica's catalog at once (read-your-writes); other replicas get it
 * from the change feed. Rules live in the domain and the store; this orchestrates.
 */
@Injectable()
export class ThresholdsService {
  private readonly approvals: number;

  constructor(
    private readonly repository: ThresholdRepository,
    private readonly catalog: ThresholdCatalog,
    config: AppConfig,
  ) {
    this.approvals = config.changes.approvals;
  }

  /** With approvals required (CONTRACT §7.2), every change goes through a change request. */
  private assertDirectWritesAllowed(): void {
    if (this.approvals > 0) throw new ApprovalRequiredError(this.approvals);
  }

  list(filter: ThresholdFilter, limit: number, after?: ListPosition): ThresholdPage {
    return this.catalog.current().list({ filter, limit, after });
  }

  get(id: string): Threshold {
    const found = this.catalog.current().get(id);
    if (!found) throw new NotFoundError('Threshold', id);
    return found;
  }

  async create(input: NewThreshold, ctx: WriteContext): Promise<Threshold> {
    this.assertDirectWritesAllowed();
    const created = await this.repository.create(input, ctx);
    this.catalog.upsert(created);
    return created;
  }

  /**
   * A create with an `Idempotency-Key`: the first request with the key creates; a retry with the
   * same key and the same request gets the original threshold back (`replayed`), however the
   * two raced; the same key with a different request is a `409`.
   */
  async createIdempotent(
    input: NewThreshold,
    ctx: WriteContext,
    claim: IdempotencyClaim,
  ): Promise<{ threshold: Threshold; replayed: boolean }> {
    this.assertDirectWritesAllowed();
    const prior = await this.repository.findIdempotentCreate(ctx.actor, claim.key);
    if (prior) return { threshold: await this.stillThere(replay(prior, claim)), replayed: true };
    try {
      const created = await this.repository.create(input, ctx, claim);
      this.catalog.upsert(created);
      return { threshold: created, replayed: false };
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTaken)) throw error;
      const winner = await this.repository.findIdempotentCreate(ctx.actor, claim.key);
      if (!winner) throw new ConflictError('A request with this Idempotency-Key is in progress; retry.');
      return { threshold: replay(winner, claim), replayed: true };
    }
  }

  /**
   * A replay answers the original `201` only while the threshold it created exists: after a
   * delete, a `Location` that answers `404` would tell the client its create succeeded and the
   * resource is there. It is a `409` naming the id instead, and nothing is created.
   */
  private async stillThere(created: Threshold): Promise<Threshold> {
    if (await this.repository.findById(created.id)) return created;
    throw new ConflictError(
      `The threshold this Idempotency-Key created (${created.id}) has since been deleted; nothing was created. ` +
        'To create it again, send the request with a new Idempotency-Key.',
      [
        {
          field: '/',
          message: 'the threshold created with this Idempotency-Key was deleted',
          code: 'idempotency_gone',
        },
      ],
    );
  }

  async update(id: string, changes: ThresholdChanges, ctx: ConditionalWrite): Promise<Threshold> {
    this.assertDirectWritesAllowed();
    const updated = await this.repository.update(id, changes, ctx);
    this.catalog.upsert(updated);
    return updated;
  }

  async delete(id: string, ctx: ConditionalWrite): Promise<void> {
    this.assertDirectWritesAllowed();
    await this.repository.delete(id, ctx);
    this.catalog.remove(id);
  }

  /** The audit trail, newest first; kept after a delete. Unknown ids are `NotFoundError`. */
  async history(id: string): Promise<HistoryEntry[]> {
    const entries = await this.repository.history(id);
    if (entries.length === 0) this.get(id);
    return entries;
  }

  /**
   * A threshold as it stood at `version`, rebuilt from the store's state and trail (the store,
   * not the catalog: a replica's catalog may be a moment behind). For an id deleted and created
   * again, the newest life that had that version.
   */
  async version(id: string, version: number): Promise<ThresholdVersion> {
    const [current, trail] = await Promise.all([this.repository.findById(id), this.repository.history(id)]);
    return versionOf(id, version, current, trail);
  }
}
