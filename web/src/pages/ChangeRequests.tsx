import { useQuery } from '@tanstack/react-query';
import { api, data } from '../api';
import type { components } from '../api/schema';
import { ErrorNotice } from '../components/ErrorNotice';
import { When } from '../components/When';
import { impactHeadline } from '../components/ImpactSummary';
import { Link, useRouter } from '../router';
import { useSession } from '../session';

export type ChangeRequest = components['schemas']['ChangeRequest'];
export type State = ChangeRequest['state'];

/** States in words. */
export const STATE_WORDS: Record<State, string> = {
  draft: 'draft',
  in_review: 'in review',
  approved: 'approved',
  scheduled: 'scheduled',
  applied: 'applied',
  rejected: 'rejected',
  cancelled: 'cancelled',
  conflicted: 'conflicted',
  failed: 'failed',
};

const TABS = [
  { id: 'review', label: 'Awaiting my review' },
  { id: 'mine', label: 'Mine' },
  { id: 'all', label: 'All' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** How long ago, in the largest whole unit: "3 days", "5 minutes". */
export function age(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  const [n, unit] =
    minutes < 60
      ? [minutes, 'minute']
      : minutes < 60 * 24
        ? [Math.floor(minutes / 60), 'hour']
        : [Math.floor(minutes / (60 * 24)), 'day'];
  return n === 0 ? 'just now' : `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** Requests others wrote that I may review now (the count in the navigation). */
export function useAwaitingMyReview(enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: ['change-requests', 'review'],
    queryFn: () =>
      data(api.GET('/v1/admin/risk/change-requests', { params: { query: { awaiting_review_by: 'me', limit: 100 } } })),
    refetchInterval: 60_000,
  });
}

/** Change requests by tab: awaiting my review first, mine, all (the tab is in the address). */
export function ChangeRequests() {
  const { session } = useSession();
  const { location } = useRouter();
  const asked = location.search.get('tab');
  const tab: Tab = TABS.some((t) => t.id === asked) ? (asked as Tab) : 'review';
  const askedState = location.search.get('state') ?? '';
  const state = Object.hasOwn(STATE_WORDS, askedState) ? (askedState as State) : '';
  const list = useQuery({
    queryKey: ['change-requests', tab, state, session?.principal],
    queryFn: () =>
      data(
        api.GET('/v1/admin/risk/change-requests', {
          params: {
            query: {
              limit: 100,
              ...(tab === 'review' ? { awaiting_review_by: 'me' as const } : {}),
              ...(tab === 'mine' ? { created_by: session!.principal } : {}),
              ...(state && tab !== 'review' ? { state } : {}),
            },
          },
        }),
      ),
  });
  const rows = list.data?.change_requests ?? [];
  return (
    <main id="main">
      <h1 tabIndex={-1}>Change requests</h1>
      <nav aria-label="Change request lists" className="tabs">
        {TABS.map((t) => (
          <Link key={t.id} to={`/change-requests?tab=${t.id}`} aria-current={t.id === tab ? 'page' : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      {tab !== 'review' ? (
        <nav aria-label="States" className="states">
          <Link to={`/change-requests?tab=${tab}`} aria-current={state === '' ? 'true' : undefined}>
            any state
          </Link>
          {(Object.keys(STATE_WORDS) as State[]).map((s) => (
            <Link key={s} to={`/change-requests?tab=${tab}&state=${s}`} aria-current={state === s ? 'true' : undefined}>
              {STATE_WORDS[s]}
            </Link>
          ))}
        </nav>
      ) : (
        <p className="muted">Requests others wrote, in review, that you have not reviewed at their current revision.</p>
      )}
      <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      {list.isPending ? (
        <div className="skeleton rows-skeleton" aria-busy="true" aria-label="Loading the change requests" />
      ) : list.data ? (
        rows.length === 0 ? (
          <p className="empty">{tab === 'review' ? 'Nothing awaits your review.' : 'No change requests here.'}</p>
        ) : (
          <table className="requests">
            <caption className="visually-hidden">Change requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Author</th>
                <th scope="col">State</th>
                <th scope="col">Age</th>
                <th scope="col">Items</th>
                <th scope="col">Impact</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((cr) => (
                <tr key={cr.id}>
                  <td data-label="Title">
                    <Link to={`/change-requests/${cr.id}`}>{cr.title}</Link>
                  </td>
                  <td data-label="Author">{cr.created_by}</td>
                  <td data-label="State">
                    <span className={`state state-${cr.state}`}>{STATE_WORDS[cr.state]}</span>
                  </td>
                  <td data-label="Age">
                    <When iso={cr.created_at}>{age(cr.created_at)}</When>
                  </td>
                  <td data-label="Items">{cr.items.length}</td>
                  <td data-label="Impact">
                    {cr.impact ? (
                      `${cr.state === 'in_review' ? '' : 'At review: '}${impactHeadline(cr.impact)}`
                    ) : (
                      <span className="muted">not weighed yet</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {list.data?.next_cursor ? <p className="muted">The 100 newest are shown.</p> : null}
    </main>
  );
}
