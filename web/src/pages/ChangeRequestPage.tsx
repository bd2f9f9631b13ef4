import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, data, type Session } from '../api';
import { BandBar } from '../components/BandBar';
import { ErrorNotice } from '../components/ErrorNotice';
import { When } from '../components/When';
import { ImpactSummary } from '../components/ImpactSummary';
import { Link } from '../router';
import { atLeast, useSession } from '../session';
import { STATE_WORDS, type ChangeRequest } from './ChangeRequests';
import { changeLines } from './ThresholdPage';

type Item = ChangeRequest['items'][number];

/** Items shown at a time (each update's differences need its base version: one request per item). */
const PAGE = 50;
type Fields = NonNullable<Item['threshold']>;

export const FIELDS: (keyof Fields)[] = [
  'name',
  'description',
  'category',
  'industry_code',
  'business_type',
  'risk_levels',
  'is_default',
  'is_active',
  'priority',
  'metadata',
];

/** JSON with object keys in order: two metadata objects that differ only in key order are equal. */
const canonical = (value: unknown): string =>
  JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );

/** The fields that differ between two states of a threshold, as the history writes them. */
export function differences(
  before: Partial<Fields>,
  after: Partial<Fields>,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const f of FIELDS) {
    if (canonical(before[f]) !== canonical(after[f])) out[f] = { from: before[f] ?? null, to: after[f] ?? null };
  }
  return out;
}

/** One item: what it does to which threshold, as differences against the version it is based on. */
function ItemView({ item }: { item: Item }) {
  const base = useQuery({
    enabled: item.op !== 'create' && item.base_version !== null,
    queryKey: ['version', item.threshold_id, item.base_version],
    queryFn: () =>
      data(
        api.GET('/v1/admin/risk/thresholds/{id}/versions/{version}', {
          params: { path: { id: item.threshold_id, version: item.base_version! } },
        }),
      ),
  });
  const before = base.data?.threshold as Fields | undefined;
  const name = item.threshold?.name ?? before?.name ?? item.threshold_id;
  const lines =
    item.op === 'create'
      ? changeLines(Object.fromEntries(FIELDS.map((f) => [f, { from: null, to: item.threshold![f] }])))
      : item.op === 'update' && before
        ? changeLines(differences(before, item.threshold!))
        : [];
  return (
    <li>
      <p>
        <strong>{item.op === 'create' ? 'Create' : item.op === 'update' ? 'Update' : 'Delete'}</strong>{' '}
        <Link to={`/thresholds/${item.threshold_id}`}>{name}</Link>
        {item.base_version ? <span className="muted"> (based on version {item.base_version})</span> : null}
      </p>
      {base.error ? <ErrorNotice error={base.error} onRetry={() => void base.refetch()} /> : null}
      {item.op === 'update' && !before && base.isPending ? <p className="muted">Loading the differences…</p> : null}
      {lines.length ? (
        <ul className="changes">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : item.op === 'update' && before ? (
        <p className="muted">No field differs from version {item.base_version}.</p>
      ) : null}
      {item.op !== 'delete' && item.threshold ? <BandBar bands={item.threshold.risk_levels} /> : null}
    </li>
  );
}

/** Why the person may not approve or reject, or undefined when they may. */
export function whyNoReview(cr: ChangeRequest, session: Session | undefined): string | undefined {
  if (!session || !atLeast(session, 'editor')) return 'Reviewing needs the editor role.';
  if (cr.state !== 'in_review' && !(cr.state === 'applied' && cr.awaiting_review))
    return `A request is reviewed while it is in review; this one is ${STATE_WORDS[cr.state]}.`;
  if (cr.created_by === session.principal || cr.editors.includes(session.principal))
    return 'You made this change; someone else must approve it.';
  if (cr.reviews.some((r) => r.reviewer === session.principal && r.revision === cr.revision))
    return `You reviewed revision ${cr.revision} already.`;
  return undefined;
}

type Action =
  | { kind: 'submit' }
  | { kind: 'review'; decision: 'approve' | 'reject'; comment: string }
  | { kind: 'apply'; emergency: boolean }
  | { kind: 'schedule'; at: string }
  | { kind: 'cancel' };

/** An action on the revision the person is reading (If-Match): never on one written since the page loaded. */
function run(cr: ChangeRequest, action: Action) {
  const path = { params: { path: { id: cr.id }, header: { 'If-Match': `"${cr.revision}"` } } };
  switch (action.kind) {
    case 'submit':
      return data(api.POST('/v1/admin/risk/change-requests/{id}/submit', path));
    case 'review':
      return data(
        api.POST('/v1/admin/risk/change-requests/{id}/reviews', {
          ...path,
          body: { decision: action.decision, comment: action.comment.trim() || null },
        }),
      );
    case 'apply':
      return data(
        api.POST('/v1/admin/risk/change-requests/{id}/apply', {
          ...path,
          body: action.emergency ? { emergency: true } : {},
        }),
      );
    case 'schedule':
      return data(api.POST('/v1/admin/risk/change-requests/{id}/schedule', { ...path, body: { at: action.at } }));
    case 'cancel':
      return data(api.POST('/v1/admin/risk/change-requests/{id}/cancel', path));
  }
}

const OP_WORDS = { create: 'create', update: 'update', delete: 'delete' } as const;

/** What the items do, every one named with its action: "update Financial default; delete Banks". */
export function itemWords(cr: Pick<ChangeRequest, 'items'>): string {
  return cr.items.map((i) => `${OP_WORDS[i.op]} ${i.threshold?.name ?? i.threshold_id}`).join('; ');
}

/** How many of the items delete a threshold, said loudly when any does. */
const deletions = (cr: ChangeRequest): number => cr.items.filter((i) => i.op === 'delete').length;

/** Who rejected the current revision, if anyone did. */
const rejectedBy = (cr: ChangeRequest): string | undefined =>
  cr.reviews.find((r) => r.decision === 'reject' && r.revision === cr.revision)?.reviewer;

/** The one primary action for the state the request is in, and the others beside it. */
function Actions({ cr, unread }: { cr: ChangeRequest; unread: number }) {
  const { session } = useSession();
  const client = useQueryClient();
  const ids = useId();
  const [comment, setComment] = useState('');
  const [confirming, setConfirming] = useState<'apply' | 'emergency' | 'cancel'>();
  const [at, setAt] = useState('');
  const action = useMutation({
    mutationFn: (a: Action) => run(cr, a),
    // Refused (changed elsewhere, cancelled in another tab…): show the request as it is now.
    onError: () => void client.invalidateQueries({ queryKey: ['change-request', cr.id] }),
    onSuccess: async (updated) => {
      setConfirming(undefined);
      client.setQueryData(['change-request', cr.id], updated);
      // An apply changes thresholds: everything shown may have moved.
      await client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    },
  });
  const busy = action.isPending;
  const go = (a: Action) => () => {
    if (!busy) action.mutate(a);
  };
  const cannotReview = whyNoReview(cr, session);
  const unreadWhy = unread > 0 ? `Read every item first: ${unread} not shown yet.` : undefined;
  // Approving (or an emergency apply) waits until every item was shown; a reject does not need to.
  const noReview = cannotReview ?? unreadWhy;
  const editor = atLeast(session, 'editor');
  const closed = ['applied', 'rejected', 'cancelled'].includes(cr.state);
  const approvalsNeeded = Math.max(0, cr.approvals.required - cr.approvals.received.length);
  const schedule = (event: FormEvent): void => {
    event.preventDefault();
    const instant = new Date(at);
    if (!Number.isNaN(instant.getTime())) go({ kind: 'schedule', at: instant.toISOString() })();
  };
  return (
    <section aria-labelledby={`${ids}-actions`} className="actions">
      <h2 id={`${ids}-actions`}>What happens next</h2>
      {cr.state === 'draft' ? (
        <>
          <p>A draft: nobody reviews it until it is submitted.</p>
          <button type="button" className="primary" aria-disabled={busy || !editor} onClick={go({ kind: 'submit' })}>
            Submit for review
          </button>
        </>
      ) : null}
      {cr.state === 'conflicted' || cr.state === 'failed' ? (
        <>
          {cr.failure ? <p className="error-text">Not applied: {cr.failure}</p> : null}
          <p>
            It could not be applied as it stands (the reason is above): bring its items up to date through the API
            (PATCH, see CHANGE_MANAGEMENT.md), then submit it again; or cancel it and propose the change afresh.
          </p>
        </>
      ) : null}
      {cr.state === 'in_review' || (cr.state === 'applied' && cr.awaiting_review) ? (
        <>
          <p>
            {cr.state === 'applied'
              ? 'Applied in an emergency: it still needs a review by someone other than its authors.'
              : `Needs ${approvalsNeeded} more approval${approvalsNeeded === 1 ? '' : 's'} from someone other than its authors.`}
          </p>
          <div>
            <label htmlFor={`${ids}-comment`}>Review comment (optional)</label>
            <textarea
              id={`${ids}-comment`}
              rows={2}
              value={comment}
              maxLength={2000}
              onChange={(e) => setComment(e.target.value)}
              disabled={noReview !== undefined}
            />
          </div>
          <div className="buttons">
            <button
              type="button"
              className="primary"
              aria-disabled={busy || noReview !== undefined}
              aria-describedby={noReview ? `${ids}-why` : undefined}
              onClick={noReview ? undefined : go({ kind: 'review', decision: 'approve', comment })}
            >
              Approve
            </button>
            <button
              type="button"
              aria-disabled={busy || cannotReview !== undefined}
              aria-describedby={cannotReview ? `${ids}-why` : undefined}
              onClick={cannotReview ? undefined : go({ kind: 'review', decision: 'reject', comment })}
            >
              Reject
            </button>
          </div>
          {noReview ? (
            <p id={`${ids}-why`} className="why">
              {noReview}
            </p>
          ) : null}
          {cr.state === 'in_review' && atLeast(session, 'admin') ? (
            confirming === 'emergency' ? (
              <div className="confirm" role="group" aria-label="Confirm the emergency apply">
                <p>
                  Apply now without the approvals? This changes production at once ({itemWords(cr)}), is recorded as an
                  emergency, alerts on-call, and still needs a review afterwards.
                </p>
                <button
                  type="button"
                  className="danger"
                  aria-disabled={busy || unread > 0}
                  onClick={unread > 0 ? undefined : go({ kind: 'apply', emergency: true })}
                >
                  Apply as an emergency
                </button>{' '}
                <button type="button" onClick={() => setConfirming(undefined)}>
                  Keep waiting
                </button>
              </div>
            ) : (
              <>
                <button
                  type="button"
                  aria-disabled={unread > 0}
                  aria-describedby={unread > 0 ? `${ids}-unread` : undefined}
                  onClick={unread > 0 ? undefined : () => setConfirming('emergency')}
                >
                  Emergency apply…
                </button>
                {unread > 0 && cannotReview ? (
                  <p id={`${ids}-unread`} className="why">
                    {unreadWhy}
                  </p>
                ) : null}
              </>
            )
          ) : null}
        </>
      ) : null}
      {cr.state === 'approved' ? (
        <>
          <p>
            {cr.approvals.received.length
              ? `Approved by ${cr.approvals.received.join(', ')}.`
              : 'No approval was required: this service applies change requests without review (CHANGE_APPROVALS is 0).'}{' '}
            Applying it changes the thresholds in force: {itemWords(cr)}.
            {deletions(cr) > 0 ? (
              <strong>
                {' '}
                It deletes {deletions(cr)} threshold{deletions(cr) === 1 ? '' : 's'}.
              </strong>
            ) : null}
          </p>
          {confirming === 'apply' ? (
            <div className="confirm" role="group" aria-label="Confirm the apply">
              <p>
                Apply {cr.items.length} item{cr.items.length === 1 ? '' : 's'} now? Classifications use the new bands at
                once.
              </p>
              <button
                type="button"
                className="primary"
                aria-disabled={busy}
                onClick={go({ kind: 'apply', emergency: false })}
              >
                Apply now
              </button>{' '}
              <button type="button" onClick={() => setConfirming(undefined)}>
                Not yet
              </button>
            </div>
          ) : (
            <button type="button" className="primary" aria-disabled={!editor} onClick={() => setConfirming('apply')}>
              Apply…
            </button>
          )}
          <form onSubmit={schedule} className="schedule">
            <label htmlFor={`${ids}-at`}>Or apply it at (your local time, within a year)</label>
            <input id={`${ids}-at`} type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} required />
            <button type="submit" aria-disabled={busy || !editor}>
              Schedule
            </button>
          </form>
        </>
      ) : null}
      {cr.state === 'scheduled' && cr.scheduled_for ? (
        <p>
          Scheduled: it applies at <When iso={cr.scheduled_for} />.
        </p>
      ) : null}
      {cr.state === 'applied' && !cr.awaiting_review ? (
        <p>Applied{cr.applied_by ? ` by ${cr.applied_by}` : ''}.</p>
      ) : null}
      {cr.state === 'applied' && cr.emergency && rejectedBy(cr) ? (
        <p className="warning">
          Applied in an emergency, then rejected by {rejectedBy(cr)}: the thresholds stay as this request left them
          until a reverting change request is applied. Propose it: Restore this version… on the history of each
          threshold it updated or deleted; a threshold it created is deleted by a change request through the API.
        </p>
      ) : null}
      {cr.state === 'rejected' ? <p>Rejected: it will not be applied.</p> : null}
      {cr.state === 'cancelled' ? <p>Cancelled: it will not be applied.</p> : null}
      {!closed && editor ? (
        confirming === 'cancel' ? (
          <div className="confirm" role="group" aria-label="Confirm cancelling">
            <p>Cancel this request? It stays on record and can no longer be applied.</p>
            <button type="button" className="danger" aria-disabled={busy} onClick={go({ kind: 'cancel' })}>
              Cancel the request
            </button>{' '}
            <button type="button" onClick={() => setConfirming(undefined)}>
              Keep it
            </button>
          </div>
        ) : (
          <button type="button" className="quiet" onClick={() => setConfirming('cancel')}>
            Cancel request…
          </button>
        )
      ) : null}
      <ErrorNotice
        error={action.error}
        plain={{
          412: 'This request changed since this page showed it, so nothing was done. It is shown again as it is now: read it before you act.',
        }}
      />
    </section>
  );
}

/** A change request: its reason first, its items as differences, its frozen impact, its reviews, and what to do next. */
export function ChangeRequestPage({ id }: { id: string }) {
  const ids = useId();
  const request = useQuery({
    queryKey: ['change-request', id],
    queryFn: () => data(api.GET('/v1/admin/risk/change-requests/{id}', { params: { path: { id } } })),
    // What a person approves must be what is stored: asked again whenever the page comes back into view
    // (and every action names the revision shown, so a change in between is refused, not approved).
    staleTime: 0,
    refetchOnWindowFocus: true,
  });
  const cr = request.data;
  const [shown, setShown] = useState(PAGE);
  return (
    <main id="main" className="request-page">
      <h1 tabIndex={-1}>{cr ? cr.title : 'Change request'}</h1>
      <ErrorNotice error={request.error} onRetry={() => void request.refetch()} />
      {cr ? (
        <>
          <p>
            <span className={`state state-${cr.state}`}>{STATE_WORDS[cr.state]}</span>{' '}
            <span className="muted">
              written by {cr.created_by}, <When iso={cr.created_at} /> · revision {cr.revision}
              {cr.editors.length > 1 ? ` · edited by ${cr.editors.join(', ')}` : ''}
              {cr.ticket ? ` · ticket ${cr.ticket}` : ''}
              {cr.emergency ? ' · emergency' : ''}
            </span>
          </p>
          <section aria-labelledby={`${ids}-reason`}>
            <h2 id={`${ids}-reason`}>Reason</h2>
            <p className="reason">{cr.reason}</p>
          </section>
          <div className="columns">
            <div>
              <section aria-labelledby={`${ids}-items`}>
                <h2 id={`${ids}-items`}>
                  {cr.items.length} item{cr.items.length === 1 ? '' : 's'}
                </h2>
                <ol className="items">
                  {cr.items.slice(0, shown).map((item, i) => (
                    <ItemView key={i} item={item} />
                  ))}
                </ol>
                {cr.items.length > shown ? (
                  <p>
                    {shown} of {cr.items.length} shown.{' '}
                    <button type="button" onClick={() => setShown((n) => n + PAGE)}>
                      Show {Math.min(PAGE, cr.items.length - shown)} more
                    </button>
                  </p>
                ) : null}
              </section>
              <section aria-labelledby={`${ids}-impact`}>
                <h2 id={`${ids}-impact`}>Impact</h2>
                {cr.impact ? (
                  <>
                    <ImpactSummary
                      impact={cr.impact}
                      label={`Impact of revision ${cr.impact.revision}`}
                      names={Object.fromEntries(
                        cr.items.map((i) => [i.threshold_id, i.threshold?.name ?? i.threshold_id]),
                      )}
                    />
                    <p className="muted">
                      Weighed when revision {cr.impact.revision} went to review, <When iso={cr.impact.computed_at} />:
                      what every reviewer sees.
                    </p>
                  </>
                ) : (
                  <p className="muted">
                    {cr.state === 'draft'
                      ? 'Weighed when the request is submitted.'
                      : 'Not weighed: the items no longer apply to the thresholds as they are.'}
                  </p>
                )}
              </section>
            </div>
            <div>
              <Actions cr={cr} unread={Math.max(0, cr.items.length - shown)} />
              <section aria-labelledby={`${ids}-reviews`}>
                <h2 id={`${ids}-reviews`}>Reviews</h2>
                {cr.reviews.length === 0 ? (
                  <p className="muted">No reviews yet.</p>
                ) : (
                  <ol className="reviews">
                    {cr.reviews.map((r, i) => (
                      <li key={i}>
                        <strong>{r.reviewer}</strong> {r.decision === 'approve' ? 'approved' : 'rejected'} revision{' '}
                        {r.revision}, <When iso={r.at} />
                        {r.comment ? <blockquote>{r.comment}</blockquote> : null}
                      </li>
                    ))}
                  </ol>
                )}
              </section>
            </div>
          </div>
        </>
      ) : request.isPending ? (
        <div className="skeleton rows-skeleton" aria-busy="true" aria-label="Loading the change request" />
      ) : null}
    </main>
  );
}
