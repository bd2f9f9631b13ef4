import {
  budgetOf,
  type EdgeRouteConfig,
  type RateClass,
  type RequestLogPolicy,
} from '@app/modules/http/edge/route-config';

/**
 * REQUEST_LOG_POLICY: which answers get a request line, per route, on top of the built-in default
 * (`DEFAULT_REQUEST_LOG_POLICY`). A comma-separated list of
 * `key=policy`; the key is `default`, a budget (`read`, `classify`, `write`, `signIn`, `none`: probes,
 * metrics, docs, console files) or one route as `METHOD /template` (`GET /v1/risk/thresholds/:id`);
 * the policy is `all`, `errors` (4xx, 5xx and answers slower than REQUEST_LOG_SLOW_MS) or `1/N`
 * (those, plus one in N of the others). A route's own key wins over its budget's, which wins over
 * `default`. Probes and scrapes keep their own rule (logged only when they fail).
 */

/**
 * The route keys of a policy that name no served route template exactly (`served`: `METHOD /template`
 * as the routes registered), which would otherwise be silently ignored: a typo, `{id}`, `:uuid`.
 */
export function unknownRouteKeys(
  policies: ReadonlyMap<string, RequestLogPolicy>,
  served: ReadonlySet<string>,
): string[] {
  return [...policies.keys()].filter((key) => key.includes(' ') && !served.has(key));
}

/**
 * Every line, except the machines' hot paths (classification and the public reads of thresholds):
 * their errors and slow answers, and one in a hundred of the others (docs/OBSERVABILITY.md, with
 * the measured cost of each choice).
 */
export const DEFAULT_REQUEST_LOG_POLICY =
  'default=all,classify=1/100,GET /v1/risk/thresholds=1/100,GET /v1/risk/thresholds/:id=1/100,GET /v1/risk/thresholds/match=1/100';

const BUDGETS: readonly (RateClass | 'none')[] = ['read', 'classify', 'write', 'signIn', 'none'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The policies in force: the built-in default with REQUEST_LOG_POLICY's entries on top. Each given
 * entry replaces the built-in entries it covers: a route's, that route's; a budget's, that budget's
 * and those of the built-in routes in it; `default`, every built-in entry. So `classify=all` changes
 * classification's lines and nothing else, `read=all` reaches the hot reads too, and
 * `default=errors` leaves only what is given explicitly.
 */
export function requestLogPolicies(value: string): Map<string, RequestLogPolicy> {
  const builtIn = parseRequestLogPolicy(DEFAULT_REQUEST_LOG_POLICY);
  const given = parseRequestLogPolicy(value);
  for (const key of given.keys()) {
    if (key === 'default') builtIn.clear();
    if (!(BUDGETS as readonly string[]).includes(key)) continue;
    builtIn.delete(key);
    for (const other of [...builtIn.keys()]) {
      const [method, url] = other.split(' ');
      if (url !== undefined && budgetOf(method, url) === key) builtIn.delete(other);
    }
  }
  return new Map([...builtIn, ...given]);
}

/** Parses REQUEST_LOG_POLICY; throws an Error naming the first bad entry. */
export function parseRequestLogPolicy(text: string): Map<string, RequestLogPolicy> {
  const byKey = new Map<string, RequestLogPolicy>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const at = entry.lastIndexOf('=');
    const key = entry.slice(0, at).trim().replace(/\s+/, ' ');
    const value = entry.slice(at + 1).trim();
    if (at < 1 || !validKey(key)) {
      throw new Error(
        `key=policy entries, and the key of '${entry}' is not default, a budget (${BUDGETS.join(', ')}) or a route as 'METHOD /path'`,
      );
    }
    const policy = policyOf(value);
    if (!policy) {
      throw new Error(
        `key=policy entries, and the policy of '${entry}' is not all, errors or 1/N (N from 1 to 1000000)`,
      );
    }
    byKey.set(key, policy);
  }
  return byKey;
}

function validKey(key: string): boolean {
  if (key === 'default' || (BUDGETS as readonly string[]).includes(key)) return true;
  const [method, path, ...rest] = key.split(' ');
  return rest.length === 0 && METHODS.includes(method) && path?.startsWith('/') === true;
}

function policyOf(value: string): RequestLogPolicy | undefined {
  if (value === 'all') return { kind: 'all' };
  if (value === 'errors') return { kind: 'errors' };
  const sample = /^1\/([1-9]\d{0,6})$/.exec(value);
  if (!sample || Number(sample[1]) > 1_000_000) return undefined;
  const every = Number(sample[1]);
  return every === 1 ? { kind: 'all' } : { kind: 'sample', every };
}

/** The policy of one route: its own key, else its budget's, else `default`, else every line. */
export function policyFor(
  policies: ReadonlyMap<string, RequestLogPolicy>,
  method: string,
  url: string,
  budget: RateClass | 'none',
): RequestLogPolicy {
  return (
    policies.get(`${method} ${url}`) ??
    (method === 'HEAD' ? policies.get(`GET ${url}`) : undefined) ??
    policies.get(budget) ??
    policies.get('default') ?? { kind: 'all' }
  );
}

/**
 * Whether a route's policy keeps the line of this answer: every answer; or errors (4xx, 5xx) and
 * answers at least `slowMs` long only; or those plus one in N of the others, counted on the
 * route's declaration (the first of every N is not kept: the N-th is).
 */
export function keepsLine(route: EdgeRouteConfig, status: number, elapsedMs: number, slowMs: number): boolean {
  const policy = route.log;
  if (policy === undefined || policy.kind === 'all' || status >= 400 || elapsedMs >= slowMs) return true;
  if (policy.kind === 'errors') return false;
  route.answered = ((route.answered ?? 0) + 1) % policy.every;
  return route.answered === 0;
}
