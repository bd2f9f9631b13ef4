import { ApiError } from '../api';

/** An error as the API gave it: its detail and request id (selectable, to quote when reporting it). */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : undefined;
  return (
    <div role="alert" className="error">
      <p>{apiError ? apiError.detail : 'The service could not be reached. Check the connection and retry.'}</p>
      {apiError?.requestId ? (
        <p className="muted">
          Request id: <code>{apiError.requestId}</code>
        </p>
      ) : null}
    </div>
  );
}
