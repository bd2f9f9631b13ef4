import { Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { Principal } from '@app/modules/auth/api-keys';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import type { EdgeRouteConfig, RateClass } from '@app/modules/http/edge/route-config';
import type { ResilientThrottlerStorage } from '@app/modules/rate-limit/resilient-throttler.storage';

export type { RateClass } from '@app/modules/http/edge/route-config';

/**
 * Per-client rate limiting on the budget of the route's class (reads, classify, writes, sign-ins), called by
 * the edge's access step (`EdgeAccessHook`) on the budget the route declares (`budget`), before
 * authentication and before any body is read, so key
 * guessing and uploads are limited too: the client is the principal of a valid key, else the IP
 * (`request.ip`: Fastify honours `X-Forwarded-For` only from `TRUST_PROXY`). Answers carry
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`; a refusal is
 * `429 RATE_LIMIT_EXCEEDED` with `Retry-After`. One counter increment per request.
 */
@Injectable()
export class RateLimiter {
  private readonly limits: Record<RateClass, number>;
  private readonly windowMs: number;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    // The storage RateLimitModule configures: it counts without waiting when its counters are local.
    @InjectThrottlerStorage() private readonly storage: ResilientThrottlerStorage,
    @InjectMetric(METRIC.rateLimitRejections) private readonly rejections: Counter,
  ) {
    const throttlers = Array.isArray(options) ? options : options.throttlers;
    const limitOf = (name: RateClass): number => Number(throttlers.find((t) => t.name === name)?.limit ?? 0);
    this.limits = {
      read: limitOf('read'),
      classify: limitOf('classify'),
      write: limitOf('write'),
      signIn: limitOf('signIn'),
    };
    this.windowMs = Number(throttlers[0]?.ttl ?? 60_000);
  }

  /**
   * Counts the request against its client's budget; throws `429` when the budget is spent. Counted
   * in this process, the answer is immediate (undefined); counted in Redis, a promise.
   */
  check(
    request: FastifyRequest,
    reply: FastifyReply,
    route: EdgeRouteConfig,
    principal: Principal | undefined,
  ): Promise<void> | undefined {
    const rateClass = route.budget;
    if (rateClass === undefined || rateClass === 'none') return undefined;
    // Sign-in attempts count per IP, whoever they claim to be.
    const key = `${rateClass}:${principal && rateClass !== 'signIn' ? `key:${principal.name}` : `ip:${request.ip}`}`;
    const limit = this.limits[rateClass];
    const record = this.storage.incrementNow(key, this.windowMs, limit);
    if (record instanceof Promise) return record.then((r) => this.settle(reply, rateClass, limit, r));
    this.settle(reply, rateClass, limit, record);
    return undefined;
  }

  private settle(reply: FastifyReply, rateClass: RateClass, limit: number, record: ThrottlerStorageRecord): void {
    void reply
      .header('ratelimit-limit', String(limit))
      .header('ratelimit-remaining', String(Math.max(0, limit - record.totalHits)))
      .header('ratelimit-reset', String(record.timeToExpire));
    if (record.isBlocked) {
      void reply.header('retry-after', String(Math.max(1, record.timeToBlockExpire)));
      this.rejections.inc();
      throw new ThrottlerException(
        `Too many ${rateClass === 'signIn' ? 'sign-in' : rateClass} requests; retry after ${record.timeToBlockExpire} s.`,
      );
    }
  }
}
