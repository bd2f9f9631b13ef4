import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api/schema';

export type Threshold = components['schemas']['Threshold'];
export type Session = components['schemas']['Session'];
export type Level = 'minimal' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: readonly Level[] = ['minimal', 'low', 'medium', 'high', 'critical'];

/** An answer of the API that is not a success: what the person is shown (detail and request id). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly requestId: string,
  ) {
    super(detail);
  }
}

let csrfToken: string | undefined;

/** The session's CSRF token, sent on every write (the session cookie itself is HttpOnly). */
export function useCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD'].includes(request.method)) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
};

/** The typed client of the public API (generated from docs/openapi.json), same origin, with the cookie. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);

/** The data of an answer, or an ApiError with the problem's detail and request id. */
export async function data<T>(answer: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data: body, error, response } = await answer;
  if (response.ok) return body as T;
  const problem = (error ?? {}) as { detail?: unknown; request_id?: unknown };
  throw new ApiError(
    response.status,
    typeof problem.detail === 'string' ? problem.detail : `The service answered ${response.status}.`,
    typeof problem.request_id === 'string' ? problem.request_id : (response.headers.get('x-request-id') ?? ''),
  );
}
