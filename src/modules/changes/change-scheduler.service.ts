import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@app/modules/config/app-config';
import { ChangeRequestsService } from '@app/modules/changes/change-requests.service';
import { ChangeRequestRepository } from '@app/modules/changes/persistence/change-request.repository';
import { DomainError } from '@app/modules/thresholds/domain/errors';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { CHANGE_STATES } from '@app/modules/changes/domain/change-request';
import { METRIC } from '@app/modules/metrics/metrics.definitions';

/** The actor the audit trail records for a scheduled apply. */
export const SCHEDULER_ACTOR = 'scheduler';

/** How long a replica's claim on a due request holds: a replica that dies mid-apply frees it then. */
const CLAIM_MS = 60_000;

/**
 * Applies scheduled change requests when they are due (CONTRACT §7.2): every replica looks every
 * CHANGE_SCHEDULER_INTERVAL_MS; each due request is claimed with a conditional update, so exactly
 * one replica applies it, with the same checks as a person's apply. One whose base moved ends
 * `failed` with the reason, and is logged at error level.
 */
@Injectable()
export class ChangeScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChangeScheduler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly requests: ChangeRequestRepository,
    private readonly changes: ChangeRequestsService,
    private readonly config: AppConfig,
    @InjectMetric(METRIC.changeRequests) private readonly byState: Gauge<'state'>,
    @InjectMetric(METRIC.changeRequestFailures) private readonly failures: Counter,
  ) {}

  onApplicationBootstrap(): void {
    const approvals = this.config.changes.approvals;
    this.logger.log(
      approvals === 0
        ? 'change approvals: 0 (CHANGE_APPROVALS): direct threshold writes are allowed'
        : `change approvals: ${approvals} (CHANGE_APPROVALS): every threshold change goes through a change request`,
    );
    this.timer = setInterval(() => void this.tick(), this.config.changes.schedulerIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One look for due requests (also called by tests); overlapping ticks wait for the running one. */
  tick(now = new Date()): Promise<void> {
    this.running ??= this.applyDue(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async applyDue(now: Date): Promise<void> {
    let due;
    try {
      due = await this.requests.due(now, 20);
      const counts = await this.requests.countByState();
      for (const state of CHANGE_STATES) this.byState.set({ state }, counts[state] ?? 0);
    } catch (error) {
      this.logger.warn({ msg: 'could not look for due change requests', err: String(error) });
      return;
    }
    for (const { request, rowVersion } of due) {
      const claimed = await this.requests.claim(request.id, rowVersion, new Date(now.getTime() + CLAIM_MS));
      if (claimed === null) continue; // another replica has it
      try {
        await this.changes.apply(request.id, 'scheduled', { actor: SCHEDULER_ACTOR }, { request, rowVersion: claimed });
        this.logger.log({ msg: 'scheduled change request applied', change_request_id: request.id });
      } catch (error) {
        if (error instanceof DomainError) {
          this.failures.inc();
          this.logger.error({
            msg: 'scheduled change request failed: nothing was applied',
            change_request_id: request.id,
            reason: error.message,
          });
        } else {
          // The store failed (database down): nothing was applied; the claim lapses and a replica retries.
          this.logger.warn({
            msg: 'scheduled apply interrupted; retried when the claim lapses',
            change_request_id: request.id,
            err: String(error),
          });
        }
      }
    }
  }
}
