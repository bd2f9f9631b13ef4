import { ForbiddenException, Injectable, Optional, UnauthorizedException, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAtLeast, type Principal } from '@app/modules/auth/api-keys';
import { EdgePipeline } from '@app/modules/http/edge/edge-pipeline';
import type { Access, EdgeRouteConfig } from '@app/modules/http/edge/route-config';
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

/**
 * Access control at the edge, the last step of the edge pipeline's `onRequest`: it runs once the route is known
 * and before any body is read, so a client without a valid key or session, with too low a role or
 * over its budget is answered from the headers alone (an upload is never read to be refused).
 *
 * Denies by default: every route declares its `access` in its route config (controllers with
 * `@Public()`, `@RequireRole(...)` or `@RequireSession()`, routes registered on Fastify itself in
 * the `config` they pass); a route without one is refused.
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
    private readonly registry: ApiKeyRegistry,
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
    @Optional() private readonly limiter?: RateLimiter,
  ) {}

  private get behindTrustedProxy(): boolean {
    return this.config.rateLimit.trustedProxies.length > 0;
  }

  onModuleInit(): void {
    // A request with a key (the machines' hot paths) is decided synchronously when its budget is
    // counted in this process; only a session lookup or a Redis count waits.
    EdgePipeline.of(this.adapterHost.httpAdapter.getInstance<FastifyInstance>()).onRequest(
      'access',
      (request, reply, route) => this.admit(request, reply, route),
    );
  }

  /** Lets the request through (undefined, or a promise when it must wait) or throws its refusal. */
  private admit(
    request: SignedInRequest,
    reply: FastifyReply,
    route: EdgeRouteConfig | undefined,
  ): Promise<void> | undefined {
    // No route (OPTIONS included: an allowed origin's preflight was answered by the CORS hook):
    // Nest's not-found handler answers 404.
    if (route === undefined) return undefined;
    const access = route.access;
    if (!access) throw new ForbiddenException('This route declares no access rule, so it is closed.');
    // Signing in is limited per IP (its own budget); probes, metrics and docs never are.
    if ('public' in access) return this.limiter?.check(request, reply, route, undefined);
    const presented = presentedKey(request);
    if ('key' in presented || sendsKeyHeader(request)) {
      const principal = 'key' in presented ? this.registry.authenticate(presented.key) : undefined;
      const counted = this.limiter?.check(request, reply, route, principal);
      if (counted) return counted.then(() => this.decide(request, reply, access, presented, principal, undefined));
      this.decide(request, reply, access, presented, principal, undefined);
      return undefined;
    }
    return this.admitBySession(request, reply, route, access, presented);
  }

  private async admitBySession(
    request: SignedInRequest,
    reply: FastifyReply,
    route: EdgeRouteConfig,
    access: Access,
    presented: ReturnType<typeof presentedKey>,
  ): Promise<void> {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const session = id === undefined ? undefined : await this.sessions.resolve(id);
    const principal = session && principalOf(session);
    await this.limiter?.check(request, reply, route, principal);
    this.decide(request, reply, access, presented, principal, { cookieSent: id !== undefined, session });
  }

  /**
   * The verdict once the principal is known: `401`/`403` as CONTRACT §6 and §9 say, the CSRF
   * check of a signed-in write, else the principal (and session) set on the request.
   */
  private decide(
    request: SignedInRequest,
    reply: FastifyReply,
    access: Access,
    presented: ReturnType<typeof presentedKey>,
    principal: Principal | undefined,
    cookie: { cookieSent: boolean; session: StoredSession | undefined } | undefined,
  ): void {
    const session = cookie?.session;
    if ('session' in access) {
      if (!session) {
        throw noSession(
          reply,
          cookie?.cookieSent === true,
          'This needs a signed-in session, and no session cookie arrived (an API key has no session; a browser sends the cookie only over https, or http to localhost, and only to the host that set it).',
        );
      }
    } else if (!principal && cookie?.cookieSent) {
      throw noSession(reply, true, '');
    } else if ('role' in access) {
      authorize(request, reply, access.role, presented, principal);
    }
    if (session) checkCsrf(request, session, this.behindTrustedProxy);
    request.principal = principal;
    request.session = session;
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
