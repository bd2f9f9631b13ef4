import { Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@app/modules/auth/api-keys';
import { METRIC } from '@app/modules/metrics/metrics.definitions';

export type RateClass = 'read' | 'classify' | 'write' | 'signIn';

/** The budget a route counts against; undefined for probes, metrics and docs (never limited). */
export function rateClassOf(method: string, route: string | undefined): RateClass | undefined {
  if (!route?.startsWith('/v1/')) return undefined;
  // The provider's callback completes a sign-in already counted at its start (and bound to a
  // one-time server-side record): it counts against the reads, so a 429 never wastes a sign-in the
  // person just completed at the provider, and a flood of callbacks is still limited.
  if (route === '/v1/session/oidc/callback') return 'read';
  if ((route === '/v1/session' && method === 'POST') || route === '/v1/session/oidc/login') return 'signIn';
  if (route.startsWith('/v1/risk/classify')) return 'classify';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/**
 * Per-client rate limiting on the budget of the route's class (reads, classify, writes, sign-ins), called by
 * the edge hook (`EdgeAccessHook`) before authentication and before any body is read, so key
 * guessing and uploads are limited too: the client is the principal of a valid key, else the IP
 * (`request.ip`: Fastify honours `X-Forwarded-For` only from `TRUST_PROXY`). Answers carry
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`; a refusal is
 * `429 RATE_LIMIT_EXCEEDED` with `Retry-After`. One counter increment per request: the budget
 * comes from the route's class directly.
 */
@Injectable()
export class RateLimiter {
  private readonly limits: Record<RateClass, number>;
  private readonly windowMs: number;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
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

  /** Counts the request against its client's budget; throws `429` when the budget is spent. */
  async check(request: FastifyRequest, reply: FastifyReply, principal: Principal | undefined): Promise<void> {
    const rateClass = rateClassOf(request.method, request.routeOptions.url);
    if (rateClass === undefined) return;
    // Sign-in attempts count per IP, whoever they claim to be.
    const key = `${rateClass}:${principal && rateClass !== 'signIn' ? `key:${principal.name}` : `ip:${request.ip}`}`;
    const limit = this.limits[rateClass];
    const record = await this.storage.increment(key, this.windowMs, limit, 0, rateClass);
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
