import { useMutation } from '@tanstack/react-query';
import { api, data } from './api';
import { ErrorNotice } from './components/ErrorNotice';
import { Classify } from './pages/Classify';
import { SignIn } from './pages/SignIn';
import { Thresholds } from './pages/Thresholds';
import { Link, useRouter } from './router';
import { useSession } from './session';

const PAGES: { path: string; label: string }[] = [
  { path: '/thresholds', label: 'Thresholds' },
  { path: '/classify', label: 'Classify' },
];

function Page({ path }: { path: string }) {
  if (path === '/classify') return <Classify />;
  if (path === '/' || path === '/thresholds') return <Thresholds />;
  return (
    <main id="main">
      <h1>Not found</h1>
      <p>
        There is no page at this address. <Link to="/thresholds">Go to the thresholds</Link>.
      </p>
    </main>
  );
}

export function App() {
  const { session, loading, error, refresh } = useSession();
  const { location } = useRouter();
  const signOut = useMutation({
    mutationFn: () => data(api.DELETE('/v1/session')),
    onSuccess: refresh,
  });
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
                  location.path === p.path || (p.path === '/thresholds' && location.path === '/') ? 'page' : undefined
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
            <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <ErrorNotice error={signOut.error ?? error} />
      {loading ? (
        <main id="main" aria-busy="true">
          <p className="muted">Loading…</p>
        </main>
      ) : session ? (
        <Page path={location.path} />
      ) : (
        <SignIn />
      )}
    </>
  );
}
