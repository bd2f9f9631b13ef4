import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, data } from './api';
import { ErrorNotice } from './components/ErrorNotice';
import { Classify } from './pages/Classify';
import { SignIn } from './pages/SignIn';
import { ThresholdPage } from './pages/ThresholdPage';
import { Thresholds } from './pages/Thresholds';
import { Link, useRouter } from './router';
import { SESSION_ENDED, useSession } from './session';

const PAGES: { path: string; label: string }[] = [
  { path: '/thresholds', label: 'Thresholds' },
  { path: '/classify', label: 'Classify' },
];

/** A threshold's own page: /thresholds/<uuid>. */
const THRESHOLD_PAGE = /^\/thresholds\/([0-9a-fA-F-]{36})$/;

const titleOf = (path: string): string =>
  THRESHOLD_PAGE.test(path)
    ? 'Threshold'
    : (PAGES.find((p) => p.path === path || (path === '/' && p.path === '/thresholds'))?.label ?? 'Not found');

function Page({ path }: { path: string }) {
  if (path === '/classify') return <Classify />;
  const threshold = THRESHOLD_PAGE.exec(path);
  if (threshold) return <ThresholdPage id={threshold[1]} />;
  if (path === '/' || path === '/thresholds') return <Thresholds />;
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
  const signOut = useMutation({
    mutationFn: () => data(api.DELETE('/v1/session')),
    onSuccess: async () => {
      client.setQueryData(SESSION_ENDED, false);
      await refresh();
    },
  });
  // A new page (or signing in): its title, and focus on its heading so a screen reader announces it.
  const first = useRef(true);
  const where = session ? titleOf(location.path) : 'Sign in';
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
            {PAGES.map((p) => (
              <Link
                key={p.path}
                to={p.path}
                aria-current={
                  titleOf(location.path) === p.label
                    ? 'page'
                    : p.path === '/thresholds' && THRESHOLD_PAGE.test(location.path)
                      ? 'location'
                      : undefined
                }
              >
                {p.label}
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
        <Page path={location.path} />
      ) : (
        <SignIn />
      )}
    </>
  );
}
