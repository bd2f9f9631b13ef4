import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api/schema';

export type Threshold = components['schemas']['Threshold'];
export type Session = components['schemas']['Session'];
export type Level = 'minimal' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: readonly Level[] = ['minimal', 'low', 'medium', 'high', 'critical'];

/** One invalid field of a refused request, as the API lists it. */
export interface FieldError {
  field: string;
  message: string;
}

/** What a person is told for an answer without a problem body of ours (a proxy's, say). */
function plainStatus(status: number): string {
  if (status === 502 || status === 503 || status === 504) {
    return `The service is unavailable right now (${status}). Try again in a minute.`;
  }
  return `The service answered with an unexpected status (${status}).`;
}

/** An answer of the API that is not a success: what the person is shown (detail, fields, request id). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly requestId: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

let csrfToken: string | undefined;

/** The session's CSRF token, sent on every write (the session cookie itself is HttpOnly). */
export function useCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

let signedOut: (() => void) | undefined;

/** What to do when an answer says the session is gone (expired, or signed out elsewhere). */
export function whenSignedOut(handler: () => void): void {
  signedOut = handler;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD'].includes(request.method)) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    // A 401 from anything but the session routes themselves (a wrong key at sign-in is not an ended session).
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/v1/session')) signedOut?.();
    return response;
  },
};

/** The typed client of the public API (generated from docs/openapi.json), same origin, with the cookie. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);

/** The data of an answer, or an ApiError with the problem's detail, field errors and request id. */
export async function data<T>(answer: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data: body, error, response } = await answer;
  if (response.ok) return body as T;
  const problem = (error ?? {}) as { detail?: unknown; request_id?: unknown; errors?: unknown };
  throw new ApiError(
    response.status,
    typeof problem.detail === 'string' ? problem.detail : plainStatus(response.status),
    typeof problem.request_id === 'string' ? problem.request_id : (response.headers.get('x-request-id') ?? ''),
    Array.isArray(problem.errors) ? (problem.errors as FieldError[]) : [],
  );
}

/** Retry what may pass on a second try (the network, a 5xx), never what the service refused (a 4xx). */
export function worthRetrying(failures: number, error: unknown): boolean {
  return failures < 2 && !(error instanceof ApiError && error.status < 500);
}
