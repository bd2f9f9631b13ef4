import { STATUS_CODES } from 'node:http';
import type { Violation } from '@app/modules/thresholds/domain/errors';

/** The `code` of every problem+json body (CONTRACT §3). */
export const PROBLEM_CODES = {
  VALIDATION_ERROR: { status: 400, title: 'Validation failed' },
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'Conflict' },
  PRECONDITION_FAILED: { status: 412, title: 'Precondition failed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  PRECONDITION_REQUIRED: { status: 428, title: 'Precondition required' },
  RATE_LIMIT_EXCEEDED: { status: 429, title: 'Too many requests' },
  INTERNAL_ERROR: { status: 500, title: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  // Change management (CONTRACT §7): after the general codes, so a bare 403 or 409 is still FORBIDDEN or CONFLICT.
  SELF_REVIEW: { status: 403, title: 'Self-review not allowed' },
  APPROVAL_REQUIRED: { status: 409, title: 'Approval required' },
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ProblemCode;
  request_id: string;
  errors?: Violation[];
}

/** The `type` URI of a problem code: stable, documented in docs/API.md. */
export function problemType(code: ProblemCode): string {
  return `urn:problem-type:risk-threshold-service:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function buildProblem(
  code: ProblemCode,
  detail: string,
  ctx: { instance: string; requestId: string },
  errors?: readonly Violation[],
): Problem {
  const { status, title } = PROBLEM_CODES[code];
  return {
    type: problemType(code),
    title,
    status,
    detail,
    instance: ctx.instance,
    code,
    request_id: ctx.requestId,
    ...(errors && errors.length > 0 ? { errors: errors.slice(0, MAX_LISTED_ERRORS) } : {}),
    ...(errors && errors.length > MAX_LISTED_ERRORS
      ? { detail: `${detail} (the first ${MAX_LISTED_ERRORS} of ${errors.length} problems are listed)` }
      : {}),
  };
}

/**
 * At most this many field errors in one answer: a small body of unknown keys must not buy a
 * response a hundred times its size (60,000 keys answered 4.5 MB).
 */
export const MAX_LISTED_ERRORS = 100;

/**
 * A problem for a status without a code of its own (`408`, `414`, `431`: answers made below the
 * application): code `BAD_REQUEST`, the true status and its standard reason as the title.
 */
export function statusProblem(status: number, detail: string, ctx: { instance: string; requestId: string }): Problem {
  const code = codeForStatus(status);
  const problem = buildProblem(code, detail, ctx);
  return PROBLEM_CODES[code].status === status
    ? problem
    : { ...problem, status, title: STATUS_CODES[status] ?? 'Bad request' };
}

/**
 * The path of a request target, safe to echo: no query string, and for an absolute-form target
 * (`GET http://user:pass@host/x`) its path only, never its credentials or host.
 */
export function echoablePath(url: string): string {
  const target = url.split('?')[0].split('#')[0];
  if (target.startsWith('/')) return target.slice(0, 1024);
  try {
    return new URL(target).pathname.slice(0, 1024);
  } catch {
    return '/';
  }
}

/** The problem code for a bare HTTP status (errors that carry nothing more specific). */
export function codeForStatus(status: number): ProblemCode {
  const found = (Object.keys(PROBLEM_CODES) as ProblemCode[]).find(
    (c) => PROBLEM_CODES[c].status === status && c !== 'VALIDATION_ERROR',
  );
  if (found) return found;
  return status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
}
