import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { SESSION_ENDED, useSession } from '../session';

/** Sign in: at the organisation's provider when configured, else (or also) with one's own API key. */
export function SignIn() {
  const { refresh } = useSession();
  const client = useQueryClient();
  const ended = client.getQueryData<boolean>(SESSION_ENDED) === true;
  const methods = useQuery({ queryKey: ['sign-in-methods'], queryFn: () => data(api.GET('/v1/session/methods')) });
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const here = `${window.location.pathname}${window.location.search}`;
  const returnTo = here.startsWith('/console/') ? here : '/console/';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await data(api.POST('/v1/session', { body: { api_key: key.trim() } }));
      setKey('');
      client.setQueryData(SESSION_ENDED, false);
      await refresh();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1 tabIndex={-1}>Sign in</h1>
      {ended ? (
        <p role="status" className="notice">
          Your session has ended (30 minutes without use, or you signed out elsewhere). Sign in again to go on where you
          were.
        </p>
      ) : (
        <p>Risk thresholds: see the bands, weigh a change, review what others propose.</p>
      )}
      <ErrorNotice error={methods.error} />
      {methods.data?.oidc ? (
        <p>
          <a className="button primary" href={`/v1/session/oidc/login?return_to=${encodeURIComponent(returnTo)}`}>
            Sign in with your organisation
          </a>
        </p>
      ) : null}
      {methods.data?.api_key ? (
        <form onSubmit={(event) => void submit(event)} className="stack">
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(event) => setKey(event.target.value)}
            required
            aria-describedby="api-key-help"
          />
          <p id="api-key-help" className="muted">
            Your personal key, from your administrator. It is exchanged for a session at once and not kept by the
            browser.
          </p>
          <button type="submit" className="primary" aria-disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <ErrorNotice error={error} />
        </form>
      ) : null}
    </main>
  );
}
