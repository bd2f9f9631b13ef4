import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { principalOf } from '@app/modules/auth/api-key.guard';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type RateClass = 'read' | 'classify' | 'write';

/** The budget a route counts against; undefined for probes, metrics and docs (never limited). */
export function rateClassOf(method: string, route: string | undefined): RateClass | undefined {
  if (!route?.startsWith('/v1/')) return undefined;
  if (route.startsWith('/v1/risk/classify')) return 'classify';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/**
 * Per-client rate limiting on the budget of the route's class (reads, classify, writes). It runs
 * before authentication, so key guessing is limited too: the client is the principal of a valid
 * key, else the IP (`request.ip`: Fastify honours `X-Forwarded-For` only from `TRUST_PROXY`). Answers carry `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset`; a refusal is `429 RATE_LIMIT_EXCEEDED` with
 * `Retry-After`. One counter increment per request: the budget comes from the route's class
 * directly (@nestjs/throttler's own guard looked up skip and limit metadata of every throttler
 * on every request).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limits: Record<RateClass, number>;
  private readonly windowMs: number;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @InjectMetric(METRIC.rateLimitRejections) private readonly rejections: Counter,
    private readonly registry: ApiKeyRegistry,
  ) {
    const throttlers = Array.isArray(options) ? options : options.throttlers;
    const limitOf = (name: RateClass): number => Number(throttlers.find((t) => t.name === name)?.limit ?? 0);
    this.limits = { read: limitOf('read'), classify: limitOf('classify'), write: limitOf('write') };
    this.windowMs = Number(throttlers[0]?.ttl ?? 60_000);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const rateClass = rateClassOf(request.method, request.routeOptions.url);
    if (rateClass === undefined) return true;
    const principal = principalOf(request, this.registry);
    const key = `${rateClass}:${principal ? `key:${principal.name}` : `ip:${request.ip}`}`;
    const limit = this.limits[rateClass];
    const record = await this.storage.increment(key, this.windowMs, limit, 0, rateClass);
    void http
      .getResponse<FastifyReply>()
      .header('ratelimit-limit', String(limit))
      .header('ratelimit-remaining', String(Math.max(0, limit - record.totalHits)))
      .header('ratelimit-reset', String(record.timeToExpire));
    if (record.isBlocked) {
      void http.getResponse<FastifyReply>().header('retry-after', String(Math.max(1, record.timeToBlockExpire)));
      this.rejections.inc();
      throw new ThrottlerException(`Too many ${rateClass} requests; retry after ${record.timeToBlockExpire} s.`);
    }
    return true;
  }
}
