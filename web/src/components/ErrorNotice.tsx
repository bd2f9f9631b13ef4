import { useState } from 'react';
import { ApiError } from '../api';

/** `/industry_code` → "industry code". */
const fieldName = (pointer: string): string => pointer.replace(/^\//, '').replace(/[/_]/g, ' ');

/**
 * An error as the API gave it: its detail, each invalid field, and the request id to quote when
 * reporting it (with a copy button). `onRetry` adds a Retry button.
 */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const [copied, setCopied] = useState(false);
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : undefined;
  return (
    <div role="alert" className="error">
      <p>{apiError ? apiError.detail : 'The service could not be reached. Check the connection and try again.'}</p>
      {apiError && apiError.errors.length > 0 ? (
        <ul>
          {apiError.errors.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              {fieldName(e.field)}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {apiError?.requestId ? (
        <p className="muted">
          Request id: <code>{apiError.requestId}</code>{' '}
          <button
            type="button"
            className="small"
            onClick={() => void navigator.clipboard?.writeText(apiError.requestId).then(() => setCopied(true))}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
