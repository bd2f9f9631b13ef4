import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, data, type Session } from './api';
import { ErrorNotice } from './components/ErrorNotice';
import { ChangeRequestPage } from './pages/ChangeRequestPage';
import { ChangeRequests, useAwaitingMyReview } from './pages/ChangeRequests';
import { Classify } from './pages/Classify';
import { EditBands } from './pages/EditBands';
import { ImportExport } from './pages/ImportExport';
import { SignIn } from './pages/SignIn';
import { ThresholdPage } from './pages/ThresholdPage';
import { Thresholds } from './pages/Thresholds';
import { Link, useRouter } from './router';
import { atLeast, SESSION_ENDED, useSession } from './session';

/** The pages in the navigation: editors also review and edit; export and import are for admins (as in the API). */
const PAGES: { path: string; label: string; role?: 'editor' | 'admin' }[] = [
  { path: '/thresholds', label: 'Thresholds' },
  { path: '/change-requests', label: 'Change requests', role: 'editor' },
  { path: '/classify', label: 'Classify' },
  { path: '/import-export', label: 'Import/export', role: 'admin' },
];

/** A threshold's own page (/thresholds/<uuid>), its band editor (…/edit), a change request. */
const THRESHOLD_PAGE = /^\/thresholds\/([0-9a-fA-F-]{36})$/;
const EDIT_PAGE = /^\/thresholds\/([0-9a-fA-F-]{36})\/edit$/;
const REQUEST_PAGE = /^\/change-requests\/([0-9a-fA-F-]{36})$/;

/** The page's name (its title) and the navigation entry it belongs under. */
const placeOf = (path: string): { title: string; under?: string } =>
  THRESHOLD_PAGE.test(path)
    ? { title: 'Threshold', under: '/thresholds' }
    : EDIT_PAGE.test(path)
      ? { title: 'Edit bands', under: '/thresholds' }
      : REQUEST_PAGE.test(path)
        ? { title: 'Change request', under: '/change-requests' }
        : {
            title:
              PAGES.find((p) => p.path === path || (path === '/' && p.path === '/thresholds'))?.label ?? 'Not found',
          };

const titleOf = (path: string): string => placeOf(path).title;

/** The role a page needs, as the API's routes behind it do. */
const roleFor = (path: string): 'editor' | 'admin' | undefined =>
  PAGES.find((p) => p.path === path)?.role ?? (EDIT_PAGE.test(path) || REQUEST_PAGE.test(path) ? 'editor' : undefined);

function Page({ path, session }: { path: string; session: Session }) {
  if (path === '/classify') return <Classify />;
  const threshold = THRESHOLD_PAGE.exec(path);
  if (threshold) return <ThresholdPage id={threshold[1]} />;
  if (path === '/' || path === '/thresholds') return <Thresholds />;
  const needs = roleFor(path);
  if (needs && !atLeast(session, needs)) {
    return (
      <main id="main">
        <h1 tabIndex={-1}>For the {needs} role</h1>
        <p>
          This page is for people with the {needs} role: ask an administrator if you need it.{' '}
          <Link to="/thresholds">Go to the thresholds</Link>.
        </p>
      </main>
    );
  }
  const edit = EDIT_PAGE.exec(path);
  if (edit) return <EditBands id={edit[1]} />;
  const request = REQUEST_PAGE.exec(path);
  if (request) return <ChangeRequestPage id={request[1]} />;
  if (path === '/change-requests') return <ChangeRequests />;
  if (path === '/import-export') return <ImportExport />;
  return (
    <main id="main">
      <h1 tabIndex={-1}>Not found</h1>
      <p>
        There is no page at this address. <Link to="/thresholds">Go to the thresholds</Link>.
      </p>
    </main>
  );
}

export function App() {
  const { session, loading, error, refresh } = useSession();
  const { location } = useRouter();
  const client = useQueryClient();
  const editor = atLeast(session, 'editor');
  const awaiting = useAwaitingMyReview(editor);
  const waiting = awaiting.data ? `${awaiting.data.change_requests.length}${awaiting.data.next_cursor ? '+' : ''}` : '';
  const signOut = useMutation({
    mutationFn: () => data(api.DELETE('/v1/session')),
    onSuccess: async () => {
      client.setQueryData(SESSION_ENDED, false);
      await refresh();
    },
  });
  // A new page (or signing in): its title, and focus on its heading so a screen reader announces it.
  const first = useRef(true);
  const needs = roleFor(location.path);
  const where = !session
    ? 'Sign in'
    : needs && !atLeast(session, needs)
      ? `For the ${needs} role`
      : titleOf(location.path);
  useEffect(() => {
    if (loading) return;
    document.title = `${where} – Risk thresholds`;
    // The page as loaded keeps the browser's own focus (the skip link comes first).
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [where, location.path, loading]);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Risk thresholds</span>
        {session ? (
          <nav aria-label="Main">
            {PAGES.filter((p) => !p.role || atLeast(session, p.role)).map((p) => (
              <Link
                key={p.path}
                to={p.path}
                aria-current={
                  titleOf(location.path) === p.label
                    ? 'page'
                    : placeOf(location.path).under === p.path
                      ? 'location'
                      : undefined
                }
              >
                {p.label}
                {p.path === '/change-requests' && waiting ? (
                  <span className="count">
                    {' '}
                    ({waiting})<span className="visually-hidden"> awaiting your review</span>
                  </span>
                ) : null}
              </Link>
            ))}
          </nav>
        ) : null}
        {session ? (
          <div className="who">
            <span>
              {session.principal} ({session.role})
            </span>
            <button type="button" onClick={() => signOut.mutate()} aria-disabled={signOut.isPending}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <ErrorNotice error={signOut.error} />
      {loading ? (
        <main id="main" aria-busy="true">
          <p className="muted">Loading…</p>
        </main>
      ) : error ? (
        <main id="main">
          <h1 tabIndex={-1}>The service is unavailable</h1>
          <ErrorNotice error={error} onRetry={() => void refresh()} />
        </main>
      ) : session ? (
        <Page path={location.path} session={session} />
      ) : (
        <SignIn />
      )}
    </>
  );
}
