import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { roleAtLeast, type Principal } from '@app/modules/auth/api-keys';
import { ACCESS_METADATA, type Access } from '@app/modules/auth/auth.decorators';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';

/** The key of a request: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    return match?.[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
}

const PRINCIPAL = Symbol('principal');

/** The principal of a request's key (authenticated once per request, then remembered on it). */
export function principalOf(request: FastifyRequest, registry: ApiKeyRegistry): Principal | undefined {
  const memo = request as FastifyRequest & { [PRINCIPAL]?: Principal | null };
  if (memo[PRINCIPAL] === undefined) {
    const key = presentedKey(request);
    memo[PRINCIPAL] = (key === undefined ? undefined : registry.authenticate(key)) ?? null;
  }
  return memo[PRINCIPAL] ?? undefined;
}

/**
 * Denies by default: every route declares `@Public()` or `@RequireRole(...)`; one that declares
 * neither is refused. No or an unknown key is `401`, too low a role `403`. The principal is set on
 * the request for `created_by`/`last_modified_by`, the audit trail and rate limiting.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** Each handler's access rule, read from its metadata once. */
  private readonly rules = new WeakMap<object, Access | null>();

  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ApiKeyRegistry,
  ) {}

  private ruleOf(context: ExecutionContext): Access | undefined {
    const handler = context.getHandler();
    let rule = this.rules.get(handler);
    if (rule === undefined) {
      rule =
        this.reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, [handler, context.getClass()]) ?? null;
      this.rules.set(handler, rule);
    }
    return rule ?? undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const access = this.ruleOf(context);
    if (access && 'public' in access) return true;
    if (!access) throw new ForbiddenException('This route declares no access rule, so it is closed.');
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { principal?: Principal }>();
    const key = presentedKey(request);
    const principal = principalOf(request, this.registry);
    if (!principal) {
      void http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="risk-threshold-service"');
      throw new UnauthorizedException(
        key === undefined
          ? 'An API key is required: Authorization: Bearer <key> or X-API-Key.'
          : 'The API key is not valid.',
      );
    }
    if (!roleAtLeast(principal.role, access.role)) {
      throw new ForbiddenException(`This operation needs the ${access.role} role; the key has ${principal.role}.`);
    }
    request.principal = principal;
    return true;
  }
}
