import type { FastifyRequest } from 'fastify';
import type { Role } from '@app/modules/auth/api-keys';

/**
 * What a route requires: a role (an API key or a person's session with it), a session of any role
 * (the session's own routes), or nothing (`public`). Routes without one are refused.
 */
export type Access = { role: Role } | { session: true } | { public: true };

/** The budgets of CONTRACT §6, per client and window. */
export type RateClass = 'read' | 'classify' | 'write' | 'signIn';

/**
 * A route's declaration, which the edge pipeline (`edge-pipeline.ts`) reads from Fastify's route
 * config on every request, whether the route is a Nest controller's (its decorators write it) or
 * registered on Fastify directly (the hot routes, the console: they pass it as `config`):
 * - `access`: who may call it (required: a route without it is refused);
 * - `budget`: the rate-limit budget it counts against, or `none`; a route registered on Fastify may
 *   declare it, else (and for every controller route) CONTRACT §6's rule (`budgetOf`) fills it in
 *   as the route registers (`declaredRoute` in `fastify-setup.ts`);
 * - `log`: the request-log policy, filled in as the route registers from REQUEST_LOG_POLICY.
 */
export interface EdgeRouteConfig {
  access?: Access;
  budget?: RateClass | 'none';
  log?: RequestLogPolicy;
  /** The route's template, which Fastify adds to the config it keeps (the metrics' `route` label). */
  url?: string;
  /** The request logger's count of this route's answers, for a `1/N` policy. */
  answered?: number;
}

/**
 * Which answers of a route get a request line: every one, errors and slow ones only, or those plus
 * a fraction of the others (1 in `every`, counted per route, so the lines are spread evenly).
 */
export type RequestLogPolicy = { kind: 'all' } | { kind: 'errors' } | { kind: 'sample'; every: number };

/** The metadata key @nestjs/platform-fastify passes to Fastify as a controller route's `config`. */
export const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';

/**
 * Adds `entry` to a controller method's Fastify route config (`override` false: only where the
 * method declares no access of its own).
 */
export function addRouteConfig(handler: object, entry: EdgeRouteConfig, override = true): void {
  const current = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as EdgeRouteConfig | undefined) ?? {};
  if (!override && current.access !== undefined) return;
  Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...current, ...entry }, handler);
}

/**
 * The budget of a route that declares none (CONTRACT §6): probes, metrics, docs and the console's
 * files none; signing in its own; classification its own; other reads and writes theirs.
 */
export function budgetOf(method: string, url: string): RateClass | 'none' {
  if (!url.startsWith('/v1/')) return 'none';
  // The provider's callback completes a sign-in already counted at its start (and bound to a
  // one-time server-side record): it counts against the reads, so a 429 never wastes a sign-in the
  // person just completed at the provider, and a flood of callbacks is still limited.
  if (url === '/v1/session/oidc/callback') return 'read';
  if ((url === '/v1/session' && method === 'POST') || url === '/v1/session/oidc/login') return 'signIn';
  if (url.startsWith('/v1/risk/classify')) return 'classify';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/** The request property that holds its route's declaration once read (`configureFastify` decorates it). */
export const EDGE_ROUTE = 'edgeRoute';
type WithRoute = FastifyRequest & { [EDGE_ROUTE]?: EdgeRouteConfig | false | null };

/**
 * The declaration of the route a request matched (undefined when it matched none: a 404), read
 * once per request and kept on it: Fastify builds a new `routeOptions` object on every access.
 */
export function edgeRouteOf(request: FastifyRequest): EdgeRouteConfig | undefined {
  const known = (request as WithRoute)[EDGE_ROUTE];
  if (known) return known;
  if (known === false) return undefined;
  const options = request.routeOptions;
  const route = options.url === undefined ? undefined : (options.config as EdgeRouteConfig);
  (request as WithRoute)[EDGE_ROUTE] = route ?? false;
  return route;
}

/**
 * The declaration of the route that answered: as `edgeRouteOf`, except for a `404` that a route
 * handed to the not-found handler (`reply.callNotFound()`: Nest does for an empty path parameter,
 * as `/v1/admin/risk/thresholds//history`), which is measured and logged as matching no route.
 */
export function answeringRouteOf(request: FastifyRequest, status: number): EdgeRouteConfig | undefined {
  const route = edgeRouteOf(request);
  if (route === undefined || status !== 404 || request.routeOptions.url !== undefined) return route;
  (request as WithRoute)[EDGE_ROUTE] = false;
  return undefined;
}

const served = new WeakMap<object, Set<string>>();

/** The routes an application registered, as `METHOD /template` (filled in as each route registers). */
export function servedRoutes(instance: object): Set<string> {
  let routes = served.get(instance);
  if (!routes) {
    routes = new Set();
    served.set(instance, routes);
  }
  return routes;
}
