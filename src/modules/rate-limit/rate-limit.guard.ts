import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
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
 * `Retry-After`.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @InjectMetric(METRIC.rateLimitRejections) private readonly rejections: Counter,
    private readonly registry: ApiKeyRegistry,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = principalOf(req as unknown as FastifyRequest, this.registry);
    return principal ? `key:${principal.name}` : `ip:${String(req.ip)}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const rateClass = rateClassOf(request.method, request.routeOptions.url);
    if (rateClass === undefined || rateClass !== throttler.name) return true;
    const tracker = await getTracker(request, context);
    const key = generateKey(context, tracker, rateClass);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, rateClass);
    void reply
      .header('ratelimit-limit', String(limit))
      .header('ratelimit-remaining', String(Math.max(0, limit - record.totalHits)))
      .header('ratelimit-reset', String(record.timeToExpire));
    if (record.isBlocked) {
      void reply.header('retry-after', String(Math.max(1, record.timeToBlockExpire)));
      this.rejections.inc();
      throw new ThrottlerException(`Too many ${rateClass} requests; retry after ${record.timeToBlockExpire} s.`);
    }
    return true;
  }

  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}
