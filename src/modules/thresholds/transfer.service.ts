import { randomUUID } from 'node:crypto';
import { compareListOrder } from '@app/modules/thresholds/domain/invariants';
import { Injectable } from '@nestjs/common';
import { CatalogSync } from '@app/modules/thresholds/catalog/catalog-sync.service';
import { ConflictError, NotFoundError, PreconditionFailedError } from '@app/modules/thresholds/domain/errors';
import {
  planImport,
  type ImportCandidate,
  type ImportCounts,
  type ImportMode,
} from '@app/modules/thresholds/domain/import-plan';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';
import type { WriteContext } from '@app/modules/thresholds/domain/writes';

/** Bulk export and atomic import (CONTRACT §3.3). */
@Injectable()
export class TransferService {
  constructor(
    private readonly repository: ThresholdRepository,
    private readonly sync: CatalogSync,
  ) {}

  /** Every threshold, read from the store (the source of truth), not the catalog; in list order. */
  async exportAll(): Promise<Threshold[]> {
    return (await this.repository.findAll()).sort(compareListOrder);
  }

  async import(
    items: readonly ImportCandidate[],
    opts: { mode: ImportMode; dryRun: boolean },
    ctx: WriteContext,
  ): Promise<ImportCounts> {
    const stored = await this.repository.findAll();
    const plan = planImport(stored, items, { mode: opts.mode, actor: ctx.actor, now: new Date(), newId: randomUUID });
    if (opts.dryRun) return plan.counts;
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
