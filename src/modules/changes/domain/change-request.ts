/**
 * Change requests (CONTRACT §7): a proposed set of threshold changes with a reason, reviewed by
 * people other than its authors, applied whole or not at all. Pure: states and transitions as
 * functions; every refusal is a domain error with the problem code the API answers.
 */
import type { Impact } from '@app/modules/observations/domain/impact';
import { ConflictError, ForbiddenError, ValidationError } from '@app/modules/thresholds/domain/errors';
import type { ThresholdChanges, ThresholdFields } from '@app/modules/thresholds/domain/threshold';

export const CHANGE_STATES = [
  'draft',
  'in_review',
  'approved',
  'scheduled',
  'applied',
  'rejected',
  'cancelled',
  'conflicted',
  'failed',
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

/** States a request never leaves. */
export const FINAL_STATES: readonly ChangeState[] = ['applied', 'rejected', 'cancelled'];

export const CHANGE_OPS = ['create', 'update', 'delete'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

/** One proposed change of one threshold. */
export interface ChangeItem {
  op: ChangeOp;
  thresholdId: string;
  /** The version the author saw (null for a create): apply refuses if the stored one moved. */
  baseVersion: number | null;
  /** The complete proposed state (create, update); null for a delete. */
  threshold: ThresholdFields | null;
}

/**
 * An item as proposed: an update may name only the fields it changes; the others are completed
 * from the stored threshold when the request is written, so the request always holds complete states.
 */
export type ProposedItem =
  ChangeItem | { op: 'update'; thresholdId: string; baseVersion: number; changes: ThresholdChanges };

export const DECISIONS = ['approve', 'reject'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface Review {
  reviewer: string;
  decision: Decision;
  comment: string | null;
  /** The revision reviewed: an approval counts for that revision only. */
  revision: number;
  at: Date;
}

export interface ChangeRequest {
  id: string;
  title: string;
  reason: string;
  ticket: string | null;
  state: ChangeState;
  /** 1, +1 on every change of title, reason, ticket or items. */
  revision: number;
  items: ChangeItem[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** Everyone who wrote the request (the author first): none of them may review it. */
  editors: string[];
  submittedAt: Date | null;
  scheduledFor: Date | null;
  appliedAt: Date | null;
  appliedBy: string | null;
  reviews: Review[];
  /** Applied without the approvals it needed, by an admin (§7.2). */
  emergency: boolean;
  /** Why the last apply failed or conflicted, for people. */
  failure: string | null;
  /**
   * What the revision under review would change over the cases observed (CONTRACT §8.3), computed
   * when it was sent to review: what its reviewers saw. Null for a draft and after an edit until
   * the new revision is in review again.
   */
  impact: FrozenImpact | null;
}

/** An impact report as computed for one revision of a request. */
export interface FrozenImpact {
  revision: number;
  from: string;
  to: string;
  computedAt: Date;
  report: Impact;
}

/** What the rules need to know about the service's configuration. */
export interface ChangePolicy {
  /** Distinct approvals a request needs (CHANGE_APPROVALS, 0-5). */
  approvals: number;
}

/** The editable content of a request. */
export interface ChangeContent {
  title: string;
  reason: string;
  ticket: string | null;
  items: ChangeItem[];
}

export class SelfReviewError extends ForbiddenError {
  override readonly problemCode = 'SELF_REVIEW';
  constructor(reviewer: string) {
    super(
      `${reviewer} wrote or edited this change request, so cannot review it: a change needs a second person (four eyes).`,
    );
  }
}

/** An action the request's state does not allow: `409`, saying which state allows it. */
export class StateConflictError extends ConflictError {
  constructor(
    readonly request: ChangeRequest,
    action: string,
    allowed: readonly ChangeState[],
  ) {
    super(`The change request is ${request.state}: ${action} needs it to be ${allowed.join(' or ')}.`, [
      { field: '/state', message: `is ${request.state}`, code: 'invalid_state' },
    ]);
  }
}

function allow(cr: ChangeRequest, action: string, allowed: readonly ChangeState[]): void {
  if (!allowed.includes(cr.state)) throw new StateConflictError(cr, action, allowed);
}

/** A new draft by `author`. */
export function draft(id: string, content: ChangeContent, author: string, at: Date): ChangeRequest {
  return {
    id,
    ...content,
    state: 'draft',
    revision: 1,
    createdBy: author,
    createdAt: at,
    updatedAt: at,
    editors: [author],
    submittedAt: null,
    scheduledFor: null,
    appliedAt: null,
    appliedBy: null,
    reviews: [],
    emergency: false,
    failure: null,
    impact: null,
  };
}

const EDITABLE: readonly ChangeState[] = ['draft', 'in_review', 'approved', 'scheduled', 'conflicted', 'failed'];

/**
 * An edit of title, reason, ticket or items: a new revision, which voids every approval given so
 * far (they were for the old one); a submitted request goes back to review, and a scheduled one
 * loses its schedule. The editor joins those who may not review it.
 */
export function edit(cr: ChangeRequest, changes: Partial<ChangeContent>, editor: string, at: Date): ChangeRequest {
  allow(cr, 'an edit', EDITABLE);
  const submitted = cr.state === 'in_review' || cr.state === 'approved' || cr.state === 'scheduled';
  return {
    ...cr,
    ...changes,
    revision: cr.revision + 1,
    state: submitted ? 'in_review' : cr.state,
    scheduledFor: null,
    updatedAt: at,
    impact: null,
    editors: cr.editors.includes(editor) ? cr.editors : [...cr.editors, editor],
  };
}

/** Sends a request to review; with no approvals needed, it is approved at once. */
export function submit(cr: ChangeRequest, policy: ChangePolicy, at: Date): ChangeRequest {
  allow(cr, 'submit', ['draft', 'conflicted', 'failed']);
  return {
    ...cr,
    // Sent back after an apply did not happen: a new review round (approvals of the old one are void).
    revision: cr.state === 'draft' ? cr.revision : cr.revision + 1,
    state: policy.approvals === 0 ? 'approved' : 'in_review',
    submittedAt: at,
    updatedAt: at,
    failure: null,
  };
}

/** The distinct people who approved the current revision. */
export function approvers(cr: ChangeRequest): string[] {
  return [
    ...new Set(cr.reviews.filter((r) => r.decision === 'approve' && r.revision === cr.revision).map((r) => r.reviewer)),
  ];
}

/** Whether an emergency apply still waits for someone other than its authors to approve it. */
export function awaitingReview(cr: ChangeRequest): boolean {
  if (cr.state === 'in_review') return true;
  const appliedAt = cr.appliedAt?.getTime() ?? Infinity;
  // An emergency waits for one review after the fact: an approval, or a reject (then a reverting change).
  return cr.emergency && !cr.reviews.some((r) => r.at.getTime() >= appliedAt);
}

/** Whether `person` may review the request now: it awaits review, they did not write it, nor review this revision. */
export function awaitsReviewBy(cr: ChangeRequest, person: string): boolean {
  return (
    awaitingReview(cr) &&
    !cr.editors.includes(person) &&
    !cr.reviews.some((r) => r.reviewer === person && r.revision === cr.revision)
  );
}

/**
 * A review. Nobody reviews a request they wrote or edited (`403 SELF_REVIEW`); one review per
 * person and revision. A reject ends the request; enough distinct approvals of the current
 * revision approve it. An emergency-applied request takes reviews afterwards (its state stays).
 */
export function review(
  cr: ChangeRequest,
  r: { reviewer: string; decision: Decision; comment: string | null },
  policy: ChangePolicy,
  at: Date,
): ChangeRequest {
  if (!(cr.state === 'applied' && cr.emergency)) allow(cr, 'a review', ['in_review']);
  if (cr.editors.includes(r.reviewer)) throw new SelfReviewError(r.reviewer);
  if (cr.reviews.some((x) => x.reviewer === r.reviewer && x.revision === cr.revision)) {
    throw new ConflictError(`${r.reviewer} has already reviewed revision ${cr.revision} of this change request.`);
  }
  const reviewed: ChangeRequest = {
    ...cr,
    reviews: [...cr.reviews, { ...r, revision: cr.revision, at }],
    updatedAt: at,
  };
  if (cr.state === 'applied') return reviewed;
  if (r.decision === 'reject') return { ...reviewed, state: 'rejected' };
  return approvers(reviewed).length >= Math.max(1, policy.approvals) ? { ...reviewed, state: 'approved' } : reviewed;
}

/** How far ahead a request may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;

/** An approved request, to be applied by the service at `when` (after now, within a year). */
export function schedule(cr: ChangeRequest, when: Date, now: Date): ChangeRequest {
  allow(cr, 'schedule', ['approved', 'scheduled']);
  if (when.getTime() <= now.getTime() || when.getTime() > now.getTime() + MAX_SCHEDULE_AHEAD_MS) {
    throw new ValidationError([
      { field: '/at', message: 'must be after now and at most a year ahead', code: 'out_of_range' },
    ]);
  }
  return { ...cr, state: 'scheduled', scheduledFor: when, updatedAt: now };
}

/** Ends any request not yet applied. */
export function cancel(cr: ChangeRequest, at: Date): ChangeRequest {
  allow(
    cr,
    'cancel',
    CHANGE_STATES.filter((s) => !FINAL_STATES.includes(s)),
  );
  return { ...cr, state: 'cancelled', scheduledFor: null, updatedAt: at };
}

export type ApplyMode = 'manual' | 'scheduled' | 'emergency';

/** The longest failure reason kept (the store's column). */
const MAX_FAILURE = 2000;

/**
 * Whether the request may be applied now, and how it will be recorded. Manual: an approved
 * request (or, with no approvals needed, any submitted or draft one); scheduled: the scheduler's,
 * for a due scheduled request; emergency: an admin's, lacking approvals (recorded and alerted).
 */
export function assertApplicable(cr: ChangeRequest, mode: ApplyMode, policy: ChangePolicy): void {
  if (mode === 'scheduled') return allow(cr, 'a scheduled apply', ['scheduled']);
  if (mode === 'emergency')
    return allow(cr, 'an emergency apply', ['draft', 'in_review', 'approved', 'conflicted', 'failed']);
  const allowed: ChangeState[] =
    policy.approvals === 0 ? ['draft', 'in_review', 'approved', 'conflicted', 'failed'] : ['approved'];
  if (!allowed.includes(cr.state) && cr.state === 'in_review') {
    throw new ConflictError(
      `The change request has ${approvers(cr).length} of the ${policy.approvals} approvals it needs: ask a reviewer ` +
        '(someone who did not write it). In an emergency, an admin may apply it with {"emergency": true}, which is recorded and alerted.',
      [{ field: '/state', message: 'is in_review', code: 'not_approved' }],
    );
  }
  allow(cr, 'apply', allowed);
}

export function applied(cr: ChangeRequest, by: string, mode: ApplyMode, at: Date): ChangeRequest {
  return {
    ...cr,
    state: 'applied',
    appliedAt: at,
    appliedBy: by,
    emergency: mode === 'emergency',
    // Whoever forced it through may not be the one to review it afterwards.
    editors: mode === 'emergency' && !cr.editors.includes(by) ? [...cr.editors, by] : cr.editors,
    scheduledFor: null,
    failure: null,
    updatedAt: at,
  };
}

/** An apply refused because thresholds moved: a person's apply `conflicted`, the scheduler's `failed`. */
export function notApplied(cr: ChangeRequest, mode: ApplyMode, failure: string, at: Date): ChangeRequest {
  return {
    ...cr,
    state: mode === 'scheduled' ? 'failed' : 'conflicted',
    // A failed scheduled request keeps the time it was due.
    scheduledFor: mode === 'scheduled' ? cr.scheduledFor : null,
    failure: failure.length > MAX_FAILURE ? `${failure.slice(0, MAX_FAILURE - 1)}…` : failure,
    updatedAt: at,
  };
}
