import { randomUUID } from 'node:crypto';
import { compareListOrder } from '@app/modules/thresholds/domain/invariants';
import { Injectable } from '@nestjs/common';
import { CatalogSync } from '@app/modules/thresholds/catalog/catalog-sync.service';
import {
  ApprovalRequiredError,
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
} from '@app/modules/thresholds/domain/errors';
import {
  planImport,
  type ImportCandidate,
  type ImportCounts,
  type ImportMode,
  type PlannedImport,
} from '@app/modules/thresholds/domain/import-plan';
import { AppConfig } from '@app/modules/config/app-config';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';
import type { WriteContext } from '@app/modules/thresholds/domain/writes';

/** Bulk export and atomic import (CONTRACT §3.3). */
@Injectable()
export class TransferService {
  private readonly approvals: number;

  constructor(
    private readonly repository: ThresholdRepository,
    private readonly sync: CatalogSync,
    config: AppConfig,
  ) {
    this.approvals = config.changes.approvals;
  }

  /** Every threshold, read from the store (the source of truth), not the catalog; in list order. */
  async exportAll(): Promise<Threshold[]> {
    return (await this.repository.findAll()).sort(compareListOrder);
  }

  /** What an import would do to the stored thresholds now (CONTRACT §3.3), without doing it. */
  async plan(items: readonly ImportCandidate[], mode: ImportMode, ctx: WriteContext): Promise<PlannedImport> {
    const stored = await this.repository.findAll();
    return planImport(stored, items, { mode, actor: ctx.actor, now: new Date(), newId: randomUUID });
  }

  async import(
    items: readonly ImportCandidate[],
    opts: { mode: ImportMode; dryRun: boolean },
    ctx: WriteContext,
  ): Promise<ImportCounts> {
    const plan = await this.plan(items, opts.mode, ctx);
    if (opts.dryRun) return plan.counts;
    // With approvals required (CONTRACT §7.2), an import is proposed as a change request instead.
    if (this.approvals > 0) throw new ApprovalRequiredError(this.approvals);
    try {
      await this.repository.applyImport(plan, ctx);
    } catch (error) {
      if (error instanceof PreconditionFailedError || error instanceof NotFoundError) {
        throw new ConflictError('Thresholds changed while the import was being applied; nothing was imported. Retry.');
      }
      throw error;
    }
    await this.sync.resync(true);
    return plan.counts;
  }
}
