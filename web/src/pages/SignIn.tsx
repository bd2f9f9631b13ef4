import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { useSession } from '../session';

/** Sign in: at the organisation's provider when configured, else (or also) with one's own API key. */
export function SignIn() {
  const { refresh } = useSession();
  const methods = useQuery({ queryKey: ['sign-in-methods'], queryFn: () => data(api.GET('/v1/session/methods')) });
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const here = `${window.location.pathname}${window.location.search}`;
  const returnTo = here.startsWith('/console/') ? here : '/console/';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await data(api.POST('/v1/session', { body: { api_key: key.trim() } }));
      setKey('');
      await refresh();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in</h1>
      <p>Risk thresholds: see the bands, weigh a change, review what others propose.</p>
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
            Your own key (npm run key:create makes one). It is exchanged for a session and not kept by the browser.
          </p>
          <button type="submit" className="primary" disabled={busy || key.trim() === ''}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <ErrorNotice error={error} />
        </form>
      ) : null}
    </main>
  );
}
