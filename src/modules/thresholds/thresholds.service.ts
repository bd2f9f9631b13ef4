import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@app/modules/thresholds/domain/errors';
import type { HistoryEntry } from '@app/modules/thresholds/domain/history';
import type { Threshold, ThresholdChanges } from '@app/modules/thresholds/domain/threshold';
import {
  ThresholdRepository,
  type ConditionalWrite,
  type ListPosition,
  type NewThreshold,
  type ThresholdFilter,
  type ThresholdPage,
  type WriteContext,
} from '@app/modules/thresholds/persistence/threshold.repository';

/** Reads and writes single thresholds. Rules live in the domain and the store; this orchestrates. */
@Injectable()
export class ThresholdsService {
  constructor(private readonly repository: ThresholdRepository) {}

  list(filter: ThresholdFilter, limit: number, after?: ListPosition): Promise<ThresholdPage> {
    return this.repository.list({ filter, limit, after });
  }

  async get(id: string): Promise<Threshold> {
    const found = await this.repository.findById(id);
    if (!found) throw new NotFoundError('Threshold', id);
    return found;
  }

  create(input: NewThreshold, ctx: WriteContext): Promise<Threshold> {
    return this.repository.create(input, ctx);
  }

  update(id: string, changes: ThresholdChanges, ctx: ConditionalWrite): Promise<Threshold> {
    return this.repository.update(id, changes, ctx);
  }

  async delete(id: string, ctx: ConditionalWrite): Promise<void> {
    await this.repository.delete(id, ctx);
  }

  /** The audit trail, newest first; kept after a delete. Unknown ids are `NotFoundError`. */
  async history(id: string): Promise<HistoryEntry[]> {
    const entries = await this.repository.history(id);
    if (entries.length === 0) await this.get(id);
    return entries;
  }
}
