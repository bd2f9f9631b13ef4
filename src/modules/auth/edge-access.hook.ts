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
import { RateLimiter } from '@app/modules/rate-limit/rate-limiter';

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
 * and before any body is read, so a client without a valid key, with too low a role or over its
 * budget is answered from the headers alone (an upload is never read to be refused).
 *
 * Denies by default: every controller route declares `@Public()` or `@RequireRole(...)`; one that
 * declares neither, or a route that is not a controller's, is refused.
 * Order: rate limiting first (so key guessing is limited too), then `401` for no or an unknown
 * key, `403` for too low a role. The principal is set on the request for `created_by` /
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
    @Optional() private readonly limiter?: RateLimiter,
  ) {}

  onModuleInit(): void {
    const table = routeAccessTable(this.discovery, this.scanner, this.reflector);
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    instance.addHook('onRequest', async (request, reply) => {
      const url = request.routeOptions.url;
      // No route (OPTIONS included: an allowed origin's preflight was answered by the CORS hook):
      // Nest's not-found handler answers 404.
      if (url === undefined) return;
      const access = table.get(routeKey(request.method, url));
      if (access && 'public' in access) return;
      if (!access) throw new ForbiddenException('This route declares no access rule, so it is closed.');
      const presented = presentedKey(request);
      const principal = 'key' in presented ? this.registry.authenticate(presented.key) : undefined;
      if (this.limiter) await this.limiter.check(request, reply, principal);
      authorize(request, reply, access.role, presented, principal);
    });
  }
}

function authorize(
  request: FastifyRequest & { principal?: Principal },
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
    throw new ForbiddenException(`This operation needs the ${role} role; the key has ${principal.role}.`);
  }
  request.principal = principal;
}
