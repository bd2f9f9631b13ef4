import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import { AppConfig } from '@app/modules/config/app-config';
import {
  completeItems,
  itemViolations,
  ItemsMovedError,
  movedItems,
  writesOf,
} from '@app/modules/changes/domain/apply-plan';
import {
  applied,
  approvers,
  assertApplicable,
  cancel,
  draft,
  edit,
  notApplied,
  review,
  schedule,
  submit,
  type ApplyMode,
  type ChangeContent,
  type ChangeItem,
  type ProposedItem,
  type ChangeRequest,
  type ChangePolicy,
  type Decision,
  type FrozenImpact,
} from '@app/modules/changes/domain/change-request';
import type { Impact } from '@app/modules/observations/domain/impact';
import { defaultWindow, ObservationsService, type Window } from '@app/modules/observations/observations.service';
import {
  ChangeRequestMoved,
  ChangeRequestRepository,
  type ChangeRequestFilter,
  type ChangeRequestPosition,
  type StoredChangeRequest,
} from '@app/modules/changes/persistence/change-request.repository';
import { CatalogSync } from '@app/modules/thresholds/catalog/catalog-sync.service';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '@app/modules/thresholds/domain/errors';
import { sameFields, type Threshold } from '@app/modules/thresholds/domain/threshold';
import { versionOf } from '@app/modules/thresholds/domain/versions';
import type { WriteContext } from '@app/modules/thresholds/domain/writes';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';

/** A request as proposed: its update items may name only the fields they change. */
export type Proposal = Omit<ChangeContent, 'items'> & { items: ProposedItem[] };

/** A request whose state moved between our read and our save: the caller retries or re-reads. */
function movedMeanwhile(id: string): ConflictError {
  return new ConflictError(`Change request ${id} changed while this request was handled; read it again and retry.`);
}

/**
 * Change requests (CONTRACT §7): every transition reads the request, applies a pure domain
 * transition and saves it only if nobody saved in between (row version). Apply goes through the
 * threshold store's one atomic step (the import path), the request marked applied in the same
 * transaction.
 */
@Injectable()
export class ChangeRequestsService {
  private readonly logger = new Logger('ChangeRequests');
  readonly policy: ChangePolicy;

  constructor(
    private readonly requests: ChangeRequestRepository,
    private readonly thresholds: ThresholdRepository,
    private readonly sync: CatalogSync,
    config: AppConfig,
    @InjectMetric(METRIC.changeRequestsApplied) private readonly appliedCount: Counter<'mode'>,
    private readonly observations: ObservationsService,
  ) {
    this.policy = { approvals: config.changes.approvals };
  }

  async create(content: Proposal, ctx: WriteContext): Promise<ChangeRequest> {
    const items = await this.validated(content.items);
    return (await this.requests.insert(draft(randomUUID(), { ...content, items }, ctx.actor, new Date()))).request;
  }

  async get(id: string): Promise<ChangeRequest> {
    return (await this.stored(id)).request;
  }

  async list(filter: ChangeRequestFilter, limit: number, after?: ChangeRequestPosition): Promise<ChangeRequest[]> {
    return (await this.requests.list(filter, limit, after)).map((s) => s.request);
  }

  private async stored(id: string): Promise<StoredChangeRequest> {
    const found = await this.requests.findById(id);
    if (!found) throw new NotFoundError('Change request', id);
    return found;
  }

  async edit(
    id: string,
    proposed: Partial<Proposal>,
    ctx: WriteContext,
    expectedRevision?: number,
  ): Promise<ChangeRequest> {
    const { items: proposedItems, ...rest } = proposed;
    const changes: Partial<ChangeContent> = { ...rest };
    if (proposedItems) changes.items = await this.validated(proposedItems);
    return this.transition(
      id,
      (cr) => {
        assertRevision(cr, expectedRevision);
        return edit(cr, changes, ctx.actor, new Date());
      },
      true,
    );
  }

  // Each action takes the revision the person saw (If-Match): a reviewer approves what they read,
  // never a revision written while their page was open.
  submit(id: string, expectedRevision?: number): Promise<ChangeRequest> {
    return this.transition(id, (cr) => submit(assertRevision(cr, expectedRevision), this.policy, new Date()), true);
  }

  review(
    id: string,
    reviewer: string,
    decision: Decision,
    comment: string | null,
    expectedRevision?: number,
  ): Promise<ChangeRequest> {
    return this.transition(id, (cr) =>
      review(assertRevision(cr, expectedRevision), { reviewer, decision, comment }, this.policy, new Date()),
    );
  }

  schedule(id: string, when: Date, expectedRevision?: number): Promise<ChangeRequest> {
    return this.transition(id, (cr) => schedule(assertRevision(cr, expectedRevision), when, new Date()));
  }

  cancel(id: string, expectedRevision?: number): Promise<ChangeRequest> {
    return this.transition(id, (cr) => cancel(assertRevision(cr, expectedRevision), new Date()));
  }

  /**
   * Applies a request: every item's base must still hold (else nothing is applied, the request is
   * `conflicted` — `failed` for the scheduler — and the answer names the items that moved), then
   * all items land in one transaction with the request marked applied; each history entry names
   * the request and its approvers.
   */
  async apply(
    id: string,
    mode: ApplyMode,
    ctx: WriteContext,
    known?: StoredChangeRequest,
    expectedRevision?: number,
  ): Promise<ChangeRequest> {
    const { request: cr, rowVersion } = known ?? (await this.stored(id));
    assertRevision(cr, expectedRevision);
    // An "emergency" apply of a request that has its approvals is a normal one.
    if (mode === 'emergency' && cr.state === 'approved') mode = 'manual';
    assertApplicable(cr, mode, this.policy);
    const ids = cr.items.map((i) => i.thresholdId);
    const stored = new Map<string, Threshold>((await this.thresholds.findByIds(ids)).map((t) => [t.id, t]));
    const moved = movedItems(cr.items, stored);
    if (moved.length > 0) return this.refuse(cr, rowVersion, mode, new ItemsMovedError(moved));
    const now = new Date();
    const done = applied(cr, ctx.actor, mode, now);
    const writes = writesOf(cr.items, stored, ctx.actor, now);
    try {
      await this.thresholds.applyImport(
        writes,
        { ...ctx, changeRequestId: cr.id, approvers: approvers(cr) },
        async (tx) => {
          await this.requests.save(done, rowVersion, tx);
        },
      );
    } catch (error) {
      if (error instanceof ChangeRequestMoved) throw movedMeanwhile(id);
      if (error instanceof PreconditionFailedError || error instanceof NotFoundError) {
        // A write landed between our check and the transaction: name what moved now.
        const now2 = new Map((await this.thresholds.findByIds(ids)).map((t) => [t.id, t]));
        const late = movedItems(cr.items, now2);
        return this.refuse(cr, rowVersion, mode, late.length > 0 ? new ItemsMovedError(late) : movedMeanwhile(id));
      }
      if (error instanceof ConflictError) return this.refuse(cr, rowVersion, mode, error);
      throw error;
    }
    await this.sync.resync(true);
    this.appliedCount.inc({ mode });
    if (mode === 'emergency') {
      this.logger.warn({ msg: 'emergency change applied without its approvals', change_request_id: id, by: ctx.actor });
    }
    return done;
  }

  /** Records why an apply did not happen (conflicted, or failed for the scheduler), then refuses. */
  private async refuse(cr: ChangeRequest, rowVersion: number, mode: ApplyMode, error: ConflictError): Promise<never> {
    await this.requests.save(notApplied(cr, mode, error.message, new Date()), rowVersion);
    throw error;
  }

  /**
   * Reads, transforms by a pure transition, saves if nobody saved in between. With `freeze`, a
   * revision that goes to review carries the impact report its reviewers will see.
   */
  private async transition(
    id: string,
    next: (cr: ChangeRequest) => ChangeRequest,
    freeze = false,
  ): Promise<ChangeRequest> {
    const { request, rowVersion } = await this.stored(id);
    let changed = next(request);
    if (freeze && (changed.state === 'in_review' || changed.state === 'approved')) {
      changed = { ...changed, impact: await this.frozenImpact(changed) };
    }
    if ((await this.requests.save(changed, rowVersion)) === null) throw movedMeanwhile(id);
    return changed;
  }

  /**
   * The impact of a revision over the last 30 days of observations (CONTRACT §8.3), to freeze on
   * it; null when its items no longer apply to the thresholds in force (its apply will say which).
   */
  private async frozenImpact(cr: ChangeRequest): Promise<FrozenImpact | null> {
    const window = defaultWindow();
    try {
      const report = await this.observations.impact(cr.items, window);
      return { revision: cr.revision, ...window, computedAt: new Date(), report };
    } catch (error) {
      if (error instanceof ValidationError || error instanceof ConflictError) return null;
      throw error;
    }
  }

  /**
   * The impact of a request's items now, over `window` (CONTRACT §8.3): recomputed against the
   * thresholds in force and the observations as they are. Only for a request not yet applied,
   * rejected or cancelled (the frozen report stays on those).
   */
  async impactNow(id: string, window: Window): Promise<Impact> {
    const cr = await this.get(id);
    if (cr.state === 'applied' || cr.state === 'rejected' || cr.state === 'cancelled') {
      throw new ConflictError(
        `Change request ${id} is ${cr.state}: its impact is no longer a question; the report it was reviewed with is its impact field.`,
      );
    }
    return this.observations.impact(cr.items, window);
  }

  /**
   * A draft whose one item brings a threshold back to its state at `version` (CONTRACT §7.3):
   * an update of the stored threshold, or a create when it was deleted since. The version is
   * rebuilt from the audit trail, so seeds (no trail entry for their version 1) restore too.
   */
  async restore(id: string, version: number, reason: string, ctx: WriteContext): Promise<ChangeRequest> {
    const [current, trail] = await Promise.all([this.thresholds.findById(id), this.thresholds.history(id)]);
    const target = versionOf(id, version, current, trail);
    if (current && sameFields(current, target.fields)) {
      throw new ValidationError(
        [
          {
            field: '/version',
            message: `is the threshold's current state (version ${current.version})`,
            code: 'unchanged',
          },
        ],
        'Nothing to restore: the threshold already holds the fields it had at that version.',
      );
    }
    const item: ChangeItem = current
      ? { op: 'update', thresholdId: id, baseVersion: current.version, threshold: target.fields }
      : { op: 'create', thresholdId: id, baseVersion: null, threshold: target.fields };
    return this.create(
      {
        title: `Restore "${target.fields.name}" to version ${version}`.slice(0, 200),
        reason,
        ticket: null,
        items: [item],
      },
      ctx,
    );
  }

  /** Items completed and checked against the stored thresholds as they are now (CONTRACT §7.1). */
  private async validated(proposed: readonly ProposedItem[]): Promise<ChangeItem[]> {
    const all = new Map((await this.thresholds.findAll()).map((t) => [t.id, t]));
    const items = completeItems(proposed, all);
    const violations = itemViolations(items, all);
    if (violations.length > 0) throw new ValidationError(violations, "The change request's items are invalid.");
    return items;
  }
}

/** `If-Match` names another revision than the stored one. */
export class RevisionMismatch extends PreconditionFailedError {
  constructor(id: string, revision: number) {
    super(id, revision);
    this.message = `Change request ${id} is at revision ${revision}, which does not match If-Match: it changed since it was read. Read it again before acting on it.`;
  }
}

/** The request, when it is at the revision the caller saw (or the caller named none). */
function assertRevision(cr: ChangeRequest, expected: number | undefined): ChangeRequest {
  if (expected !== undefined && expected !== cr.revision) throw new RevisionMismatch(cr.id, cr.revision);
  return cr;
}
