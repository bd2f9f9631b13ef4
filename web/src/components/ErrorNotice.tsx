import { useState } from 'react';
import { ApiError } from '../api';

/**
 * A field's pointer in words: `/industry_code` → "industry code", `/thresholds/3/risk_levels/high`
 * (or `/3/…` in a bare list) → "item 4, risk levels high"; the body itself → "".
 */
export function fieldName(pointer: string): string {
  const parts = pointer.split('/').filter(Boolean);
  if (parts[0] === 'thresholds' || parts[0] === 'items') parts.shift();
  const item = parts.length > 0 && /^\d+$/.test(parts[0]) ? `item ${Number(parts.shift()) + 1}` : '';
  const rest = parts.join(' ').replace(/_/g, ' ');
  return [item, rest].filter(Boolean).join(', ');
}

/**
 * An error as the API gave it: its detail, each invalid field, and the request id to quote when
 * reporting it (with a copy button). `onRetry` adds a Retry button.
 */
export function ErrorNotice({
  error,
  onRetry,
  plain,
}: {
  error: unknown;
  onRetry?: () => void;
  /** Words for a person in place of the API's detail, for statuses a page knows (the request id stays). */
  plain?: Partial<Record<number, string>>;
}) {
  const [copied, setCopied] = useState(false);
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : undefined;
  return (
    <div role="alert" className="error">
      <p>
        {apiError
          ? (plain?.[apiError.status] ?? apiError.detail)
          : 'The service could not be reached. Check the connection and try again.'}
      </p>
      {apiError && apiError.errors.length > 0 ? (
        <ul>
          {apiError.errors.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              {fieldName(e.field) ? `${fieldName(e.field)}: ` : ''}
              {e.message}
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
