import {
  ForbiddenException,
  Injectable,
  Optional,
  RequestMethod,
  UnauthorizedException,
  type OnModuleInit,
} from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAtLeast, type Principal } from '@app/modules/auth/api-keys';
import { ACCESS_METADATA, type Access } from '@app/modules/auth/auth.decorators';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';
import {
  clearCookie,
  cookieValue,
  principalOf,
  sameSecret,
  SESSION_COOKIE,
  type StoredSession,
} from '@app/modules/auth/sessions/session';
import { SessionsService } from '@app/modules/auth/sessions/sessions.service';
import { RateLimiter } from '@app/modules/rate-limit/rate-limiter';
import { AppConfig } from '@app/modules/config/app-config';

/**
 * The key of a request, `Authorization: Bearer <key>` or `X-API-Key: <key>`, or why there is none
 * (the 401's detail). An `Authorization` of another scheme (Basic, for a proxy) does not hide an
 * `X-API-Key`; two different keys are refused rather than one silently preferred.
 */
export function presentedKey(request: FastifyRequest): { key: string } | { none: string } {
  const authorization = typeof request.headers.authorization === 'string' ? request.headers.authorization.trim() : '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const header = request.headers['x-api-key'];
  const apiKey = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
  if (bearer !== undefined && apiKey !== undefined && bearer !== apiKey) {
    return { none: 'Two different API keys were sent (Authorization: Bearer and X-API-Key); send one.' };
  }
  const key = bearer ?? apiKey;
  if (key !== undefined) return { key };
  if (/^Bearer\b/i.test(authorization)) {
    return { none: "Authorization must be 'Bearer <key>': the scheme, one space, the key alone." };
  }
  return { none: 'An API key is required: Authorization: Bearer <key> or X-API-Key.' };
}

/** A request once the edge has let it through: who sent it, and the session it came with, if any. */
export type SignedInRequest = FastifyRequest & { principal?: Principal; session?: StoredSession };

/**
 * Whether the request tries to present an API key (a Bearer authorization, or X-API-Key): then a
 * session cookie is not looked at. An Authorization of another scheme (Basic, for a proxy) is not a key.
 */
function sendsKeyHeader(request: FastifyRequest): boolean {
  const { authorization } = request.headers;
  const apiKey = request.headers['x-api-key'];
  return (
    (typeof authorization === 'string' && /^\s*Bearer\b/i.test(authorization)) ||
    (typeof apiKey === 'string' && apiKey.trim() !== '')
  );
}

/**
 * The request's `Origin` when it is not this service's own (its scheme and Host, as Fastify reads
 * them: X-Forwarded-Proto and -Host only from TRUST_PROXY), else undefined. A request without
 * `Origin` is undefined too: a caller that is not a browser.
 */
export function foreignOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  return origin === ownOrigin(request) ? undefined : origin;
}

/** This service's origin as the request reaches it, as a browser writes an Origin (lower case, no default port). */
function ownOrigin(request: FastifyRequest): string {
  const host = request.host.toLowerCase();
  const defaultPort = request.protocol === 'https' ? ':443' : ':80';
  return `${request.protocol}://${host.endsWith(defaultPort) ? host.slice(0, -defaultPort.length) : host}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request authenticated by the session cookie that may change anything (every POST, PUT, PATCH
 * and DELETE) carries the session's CSRF token in `X-CSRF-Token` and an `Origin` of this service
 * (CONTRACT §9); else `403`.
 */
function checkCsrf(request: FastifyRequest, session: StoredSession, behindTrustedProxy: boolean): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin === undefined) {
    throw new ForbiddenException(
      'A signed-in POST, PUT, PATCH or DELETE must carry an Origin header (browsers send it).',
    );
  }
  const foreign = foreignOrigin(request);
  if (foreign !== undefined) {
    throw new ForbiddenException(
      `Origin ${foreign} is not this service (${ownOrigin(request)}): ${
        behindTrustedProxy
          ? "the proxy must pass the browser's Host (or X-Forwarded-Host) and X-Forwarded-Proto, and every proxy in the chain be in TRUST_PROXY."
          : 'behind a proxy that terminates TLS, set TRUST_PROXY to its address.'
      }`,
    );
  }
  const token = request.headers['x-csrf-token'];
  if (typeof token !== 'string' || token === '') {
    throw new ForbiddenException(
      'A signed-in POST, PUT, PATCH or DELETE needs X-CSRF-Token: the csrf_token of GET /v1/session.',
    );
  }
  if (!sameSecret(token, session.csrfToken)) {
    throw new ForbiddenException("X-CSRF-Token is not this session's csrf_token (GET /v1/session answers it).");
  }
}

/** `METHOD /path` as Fastify names a route (`:id` parameters), HEAD answered by its GET route. */
function routeKey(method: string, url: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}

function joinPath(...parts: unknown[]): string {
  const segments = parts
    .filter((p): p is string => typeof p === 'string')
    .flatMap((p) => p.split('/'))
    .filter((s) => s !== '');
  return `/${segments.join('/')}`;
}

/**
 * Every controller route's access rule (`@Public()` or `@RequireRole()`, on the method or its
 * class), or null for a route that declares neither, keyed by `routeKey`.
 */
export function routeAccessTable(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): Map<string, Access | null> {
  const table = new Map<string, Access | null>();
  for (const wrapper of discovery.getControllers()) {
    const metatype = wrapper.metatype;
    const instance = wrapper.instance as object | undefined;
    if (!metatype || !instance) continue;
    const controllerPaths = [Reflect.getMetadata(PATH_METADATA, metatype) as string | string[] | undefined].flat();
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (methodPath === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const access = reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, [handler, metatype]) ?? null;
      for (const base of controllerPaths) {
        for (const path of [methodPath].flat()) table.set(routeKey(method, joinPath(base, path)), access);
      }
    }
  }
  return table;
}

/**
 * Access control at the edge, in one Fastify `onRequest` hook: it runs once the route is known
 * and before any body is read, so a client without a valid key or session, with too low a role or
 * over its budget is answered from the headers alone (an upload is never read to be refused).
 *
 * Denies by default: every controller route declares `@Public()`, `@RequireRole(...)` or
 * `@RequireSession()`, and a route registered on Fastify itself declares the same in its config's
 * `access`; a route with neither is refused.
 * Who: a key header decides alone; without one, the session cookie (CONTRACT §9). Order: the
 * principal, rate limiting (so key guessing is limited too), then `401` for no or an unknown key
 * or an ended session, `403` for too low a role, and for a signed-in write without its CSRF token
 * or from another Origin. The principal (and session) is set on the request for `created_by` /
 * `last_modified_by`, the audit trail and rate limiting.
 */
@Injectable()
export class EdgeAccessHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: ApiKeyRegistry,
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
    @Optional() private readonly limiter?: RateLimiter,
  ) {}

  private get behindTrustedProxy(): boolean {
    return this.config.rateLimit.trustedProxies.length > 0;
  }

  onModuleInit(): void {
    const table = routeAccessTable(this.discovery, this.scanner, this.reflector);
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    instance.addHook('onRequest', async (request: SignedInRequest, reply) => {
      const url = request.routeOptions.url;
      // No route (OPTIONS included: an allowed origin's preflight was answered by the CORS hook):
      // Nest's not-found handler answers 404.
      if (url === undefined) return;
      // A controller's decorators, or (a route registered on Fastify itself) its config's `access`.
      const access =
        table.get(routeKey(request.method, url)) ?? (request.routeOptions.config as { access?: Access }).access;
      if (!access) throw new ForbiddenException('This route declares no access rule, so it is closed.');
      if ('public' in access) {
        // Signing in is limited per IP (its own budget); probes, metrics and docs never are.
        if (this.limiter) await this.limiter.check(request, reply, undefined);
        return;
      }
      const presented = presentedKey(request);
      let principal: Principal | undefined;
      let session: StoredSession | undefined;
      let cookieSent = false;
      if ('key' in presented) {
        principal = this.registry.authenticate(presented.key);
      } else if (!sendsKeyHeader(request)) {
        const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
        cookieSent = id !== undefined;
        session = id === undefined ? undefined : await this.sessions.resolve(id);
        principal = session && principalOf(session);
      }
      if (this.limiter) await this.limiter.check(request, reply, principal);
      if ('session' in access) {
        if (!session) {
          throw noSession(
            reply,
            cookieSent,
            'This needs a signed-in session, and no session cookie arrived (an API key has no session; a browser sends the cookie only over https, or http to localhost, and only to the host that set it).',
          );
        }
      } else if (!principal && cookieSent) {
        throw noSession(reply, true, '');
      } else {
        authorize(request, reply, access.role, presented, principal);
      }
      if (session) checkCsrf(request, session, this.behindTrustedProxy);
      request.principal = principal;
      request.session = session;
    });
  }
}

/** A `401` for a request without a live session; a dead session's cookie is removed. */
function noSession(reply: FastifyReply, cookieSent: boolean, otherwise: string): UnauthorizedException {
  void reply.header('www-authenticate', 'Bearer realm="risk-threshold-service"');
  if (!cookieSent) return new UnauthorizedException(otherwise);
  void reply.header('set-cookie', clearCookie(SESSION_COOKIE));
  return new UnauthorizedException('The session has ended (it expired, or was signed out): sign in again.');
}

function authorize(
  request: SignedInRequest,
  reply: FastifyReply,
  role: Principal['role'],
  presented: ReturnType<typeof presentedKey>,
  principal: Principal | undefined,
): void {
  if (!principal) {
    void reply.header('www-authenticate', 'Bearer realm="risk-threshold-service"');
    throw new UnauthorizedException('key' in presented ? 'The API key is not valid.' : presented.none);
  }
  if (!roleAtLeast(principal.role, role)) {
    throw new ForbiddenException(`This operation needs the ${role} role; ${principal.name} has ${principal.role}.`);
  }
}
