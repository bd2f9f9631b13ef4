import {
  applied,
  approvers,
  assertApplicable,
  awaitingReview,
  cancel,
  CHANGE_STATES,
  draft,
  edit,
  notApplied,
  review,
  schedule,
  SelfReviewError,
  StateConflictError,
  submit,
  type ChangeRequest,
  type ChangeState,
} from '@app/modules/changes/domain/change-request';
import { ConflictError, ValidationError } from '@app/modules/thresholds/domain/errors';
import { aThresholdFields } from '@test/support/builders';

const T0 = new Date('2026-12-01T10:00:00Z');
const later = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const ONE = { approvals: 1 };
const content = {
  title: 'Tighten banks',
  reason: 'Loss rates rose in Q3; medium from 55 to 50.',
  ticket: null,
  items: [
    {
      op: 'create' as const,
      thresholdId: 'b3c5d7e9-0000-4000-8000-000000000001',
      baseVersion: null,
      threshold: aThresholdFields(),
    },
  ],
};
const inState = (state: ChangeState): ChangeRequest => ({ ...draft('cr-1', content, 'alice', T0), state });

/** Each action, run against a request in some state: the state it leads to, or the error. */
const ACTIONS: Record<string, (cr: ChangeRequest) => ChangeRequest | void> = {
  submit: (cr) => submit(cr, ONE, later(1)),
  approve: (cr) => review(cr, { reviewer: 'bob', decision: 'approve', comment: null }, ONE, later(1)),
  reject: (cr) => review(cr, { reviewer: 'bob', decision: 'reject', comment: 'no' }, ONE, later(1)),
  edit: (cr) => edit(cr, { title: 'Tighten banks (v2)' }, 'alice', later(1)),
  schedule: (cr) => schedule(cr, later(60), later(1)),
  cancel: (cr) => cancel(cr, later(1)),
  apply: (cr) => assertApplicable(cr, 'manual', ONE),
  'scheduled apply': (cr) => assertApplicable(cr, 'scheduled', ONE),
  'emergency apply': (cr) => assertApplicable(cr, 'emergency', ONE),
};

/** Where each action is allowed (CONTRACT §7.2, §7.3), and the state it leaves (null: unchanged / not a transition). */
const ALLOWED: Record<string, Partial<Record<ChangeState, ChangeState | null>>> = {
  submit: { draft: 'in_review', conflicted: 'in_review', failed: 'in_review' },
  approve: { in_review: 'approved' },
  reject: { in_review: 'rejected' },
  edit: {
    draft: 'draft',
    in_review: 'in_review',
    approved: 'in_review',
    scheduled: 'in_review',
    conflicted: 'conflicted',
    failed: 'failed',
  },
  schedule: { approved: 'scheduled', scheduled: 'scheduled' },
  cancel: {
    draft: 'cancelled',
    in_review: 'cancelled',
    approved: 'cancelled',
    scheduled: 'cancelled',
    conflicted: 'cancelled',
    failed: 'cancelled',
  },
  apply: { approved: null },
  'scheduled apply': { scheduled: null },
  'emergency apply': { draft: null, in_review: null, approved: null, conflicted: null, failed: null },
};

describe('change request states (CONTRACT §7.2)', () => {
  const table = Object.keys(ACTIONS).flatMap((action) => CHANGE_STATES.map((state) => [action, state] as const));

  it.each(table)('%s in state %s: allowed, or refused with 409', (action, state) => {
    const expected = ALLOWED[action][state];
    const run = (): ChangeRequest | void => ACTIONS[action](inState(state));
    if (expected === undefined) {
      expect(run).toThrow(ConflictError);
      try {
        run();
      } catch (error) {
        expect((error as ConflictError).violations).toEqual([
          expect.objectContaining({ field: '/state', message: `is ${state}` }),
        ]);
      }
      return;
    }
    const after = run();
    if (expected !== null) expect(after && after.state).toBe(expected);
  });

  it('an edit makes a new revision and voids the approvals of the old one', () => {
    const policy = { approvals: 2 };
    let cr = submit(draft('cr', content, 'alice', T0), policy, later(1));
    cr = review(cr, { reviewer: 'bob', decision: 'approve', comment: null }, policy, later(2));
    expect([cr.state, approvers(cr)]).toEqual(['in_review', ['bob']]);
    cr = edit(cr, { reason: 'Loss rates rose in Q3 and Q4; medium 50.' }, 'alice', later(3));
    expect([cr.revision, approvers(cr)]).toEqual([2, []]);
    // bob may review the new revision.
    cr = review(cr, { reviewer: 'bob', decision: 'approve', comment: null }, policy, later(4));
    expect(approvers(cr)).toEqual(['bob']);
  });

  it('CHANGE_APPROVALS=2 needs two distinct reviewers; one person reviews a revision once', () => {
    const policy = { approvals: 2 };
    let cr = submit(draft('cr', content, 'alice', T0), policy, later(1));
    cr = review(cr, { reviewer: 'bob', decision: 'approve', comment: null }, policy, later(2));
    expect(() => review(cr, { reviewer: 'bob', decision: 'approve', comment: null }, policy, later(3))).toThrow(
      ConflictError,
    );
    expect(cr.state).toBe('in_review');
    cr = review(cr, { reviewer: 'carol', decision: 'approve', comment: 'ok' }, policy, later(3));
    expect(cr.state).toBe('approved');
  });

  it('the author and every editor of a request get SELF_REVIEW', () => {
    let cr = draft('cr', content, 'alice', T0);
    cr = edit(cr, { title: 'Tighten banks, per Dave' }, 'dave', later(1));
    cr = submit(cr, ONE, later(2));
    for (const reviewer of ['alice', 'dave']) {
      for (const decision of ['approve', 'reject'] as const) {
        let error: unknown;
        try {
          review(cr, { reviewer, decision, comment: null }, ONE, later(3));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(SelfReviewError);
        expect(error).toMatchObject({ kind: 'forbidden', problemCode: 'SELF_REVIEW' });
      }
    }
  });

  it('with no approvals needed, submit approves at once and a draft may be applied', () => {
    const none = { approvals: 0 };
    expect(submit(draft('cr', content, 'alice', T0), none, later(1)).state).toBe('approved');
    expect(() => assertApplicable(draft('cr', content, 'alice', T0), 'manual', none)).not.toThrow();
  });

  it('an apply lacking approvals says how many it has and how an admin may proceed', () => {
    const cr = submit(draft('cr', content, 'alice', T0), { approvals: 2 }, later(1));
    expect(() => assertApplicable(cr, 'manual', { approvals: 2 })).toThrow(/0 of the 2 approvals.*emergency/);
  });

  it('an emergency apply is recorded and awaits review until someone else approves afterwards', () => {
    let cr = submit(draft('cr', content, 'alice', T0), ONE, later(1));
    cr = applied(cr, 'root', 'emergency', later(2));
    expect([cr.state, cr.emergency, awaitingReview(cr)]).toEqual(['applied', true, true]);
    expect(() => review(cr, { reviewer: 'alice', decision: 'approve', comment: null }, ONE, later(3))).toThrow(
      SelfReviewError,
    );
    cr = review(cr, { reviewer: 'bob', decision: 'approve', comment: 'checked after the fact' }, ONE, later(3));
    expect([cr.state, awaitingReview(cr)]).toEqual(['applied', false]);
  });

  it('schedules only between now and a year ahead; a failed scheduled apply is failed, a manual one conflicted', () => {
    const cr = inState('approved');
    expect(() => schedule(cr, later(-1), T0)).toThrow(ValidationError);
    expect(() => schedule(cr, new Date(T0.getTime() + 367 * 86_400_000), T0)).toThrow(ValidationError);
    expect(schedule(cr, later(30), T0)).toMatchObject({ state: 'scheduled', scheduledFor: later(30) });
    expect(notApplied(inState('scheduled'), 'scheduled', 'moved', T0)).toMatchObject({
      state: 'failed',
      failure: 'moved',
    });
    expect(notApplied(inState('approved'), 'manual', 'moved', T0)).toMatchObject({ state: 'conflicted' });
  });

  it('sent back after a refused apply, a request goes round again: a new revision, earlier approvals void', () => {
    let cr = review(
      submit(draft('cr', content, 'alice', T0), ONE, later(1)),
      { reviewer: 'bob', decision: 'approve', comment: null },
      ONE,
      later(2),
    );
    cr = notApplied(cr, 'manual', 'moved', later(3));
    cr = submit(cr, ONE, later(4));
    expect([cr.state, cr.revision, approvers(cr)]).toEqual(['in_review', 2, []]);
    // bob may review the new round.
    expect(review(cr, { reviewer: 'bob', decision: 'approve', comment: null }, ONE, later(5)).state).toBe('approved');
  });

  it('an emergency: its applier may not review it afterwards; any review after the fact ends the wait', () => {
    let cr = applied(submit(draft('cr', content, 'alice', T0), ONE, later(1)), 'root', 'emergency', later(2));
    expect(() => review(cr, { reviewer: 'root', decision: 'approve', comment: null }, ONE, later(3))).toThrow(
      SelfReviewError,
    );
    cr = review(cr, { reviewer: 'bob', decision: 'reject', comment: 'revert it' }, ONE, later(3));
    expect([cr.state, awaitingReview(cr)]).toEqual(['applied', false]);
  });

  it('a failure reason is kept to 2000 characters; a failed scheduled request keeps when it was due', () => {
    const failed = notApplied({ ...inState('scheduled'), scheduledFor: later(9) }, 'scheduled', 'x'.repeat(5000), T0);
    expect([failed.failure?.length, failed.scheduledFor]).toEqual([2000, later(9)]);
  });

  it('every refusal of a state is a StateConflictError naming the state', () => {
    expect(() => cancel(inState('applied'), T0)).toThrow(StateConflictError);
  });
});
