import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type Redis from 'ioredis';

/** One fixed-window hit: INCR, set the expiry on the first hit, answer hits and the time left. */
const HIT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}
`;

/**
 * Fixed-window counters in this process, the same rule as the Redis script: the first hit of a key
 * opens a window of `ttl` ms, every hit in it counts, the budget resets when it ends. O(1) a hit.
 * (@nestjs/throttler's own in-memory storage keeps one timestamp per hit and filters them on every
 * request: O(hits in the window), which at tens of thousands of requests a minute cost more than
 * the request itself.)
 */
export class LocalWindows {
  private readonly windows = new Map<string, { hits: number; expiresAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  increment(key: string, ttl: number, limit: number, now = Date.now()): ThrottlerStorageRecord {
    let window = this.windows.get(key);
    if (!window || window.expiresAt <= now) {
      window = { hits: 0, expiresAt: now + ttl };
      this.windows.set(key, window);
    }
    window.hits++;
    const seconds = Math.max(1, Math.ceil((window.expiresAt - now) / 1000));
    const blocked = window.hits > limit;
    return {
      totalHits: window.hits,
      timeToExpire: seconds,
      isBlocked: blocked,
      timeToBlockExpire: blocked ? seconds : 0,
    };
  }

  /** Forgets windows that have ended (keys of clients gone quiet). */
  sweep(now = Date.now()): void {
    for (const [key, window] of this.windows) if (window.expiresAt <= now) this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}

export type RedisHealth =
  | 'not_configured'
  | { status: 'up' | 'down'; latency_ms: number; used_for: 'rate_limit_counters'; reason?: string; fallback?: string };

/** A Redis client error in words safe to show anyone (no host or password). */
function redisFailure(error: Error & { code?: string }): string {
  if (error.code === 'ECONNREFUSED') return 'refused';
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return 'host_not_found';
  if (error.code === 'ETIMEDOUT' || /timeout/i.test(error.message)) return 'timeout';
  if (/WRONGPASS|NOAUTH|invalid password|AUTH/i.test(error.message)) return 'authentication_failed';
  return 'error';
}

/**
 * Rate-limit counters in Redis, shared by every replica, when `REDIS_URL` is set; in the process
 * otherwise. A Redis that is down or slow never fails a request: the hit is counted locally
 * (each replica then enforces the budget on its own) until Redis answers again.
 */
export class ResilientThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new LocalWindows();
  private readonly redis: Redis | undefined;
  private usingFallback = false;
  private lastError: string | undefined;
  private lastPing: { at: number; result: Promise<RedisHealth> } | undefined;

  constructor(redisUrl: string | undefined) {
    if (!redisUrl) return;
    // Required here, not imported: without REDIS_URL the client library is never loaded.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const RedisClient = (require('ioredis') as { default: typeof Redis }).default;
    this.redis = new RedisClient(redisUrl, {
      // Fail fast instead of queueing while disconnected; reconnect in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 250,
      connectTimeout: 1000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      lazyConnect: false,
    });
    this.redis.on('error', (error: Error & { code?: string }) => {
      this.lastError = redisFailure(error);
    });
    this.redis.on('ready', () => {
      if (this.usingFallback) this.logger.log('Redis is back: rate-limit counters are shared again');
      this.usingFallback = false;
      this.lastError = undefined;
      this.lastPing = undefined;
    });
  }

  /** Whether counts currently go to Redis. */
  get shared(): boolean {
    return this.redis?.status === 'ready';
  }

  /**
   * Redis as `/health/detailed` reports it: not configured, or a `PING` (bounded by the client's
   * command timeout; its answer reused for a second, so probes cannot load Redis) with what was
   * last seen when it is down.
   */
  health(): Promise<RedisHealth> {
    const redis = this.redis;
    if (!redis) return Promise.resolve('not_configured');
    const now = performance.now();
    if (this.lastPing && now - this.lastPing.at < 1000) return this.lastPing.result;
    const result = (async (): Promise<RedisHealth> => {
      if (redis.status === 'ready') {
        try {
          await redis.ping();
          return { status: 'up', latency_ms: Math.round(performance.now() - now), used_for: 'rate_limit_counters' };
        } catch (error) {
          this.lastError = redisFailure(error as Error & { code?: string });
        }
      }
      return {
        status: 'down',
        latency_ms: Math.round(performance.now() - now),
        used_for: 'rate_limit_counters',
        reason: this.lastError ?? `connection ${redis.status}`,
        fallback: 'counting in this process',
      };
    })();
    this.lastPing = { at: now, result };
    return result;
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    return this.incrementNow(key, ttl, limit);
  }

  /** As `increment`, answered at once (no promise) when the counters are this process's own (no Redis). */
  incrementNow(key: string, ttl: number, limit: number): ThrottlerStorageRecord | Promise<ThrottlerStorageRecord> {
    return this.redis ? this.incrementShared(key, ttl, limit) : this.local.increment(key, ttl, limit);
  }

  private async incrementShared(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    if (this.redis && this.redis.status === 'ready') {
      try {
        const [hits, pttl] = (await this.redis.eval(HIT, 1, `rl:${key}`, String(ttl))) as [number, number];
        const seconds = Math.max(1, Math.ceil(pttl / 1000));
        return {
          totalHits: hits,
          timeToExpire: seconds,
          isBlocked: hits > limit,
          timeToBlockExpire: hits > limit ? seconds : 0,
        };
      } catch (error) {
        this.fallBack(error);
      }
    } else if (this.redis) {
      this.fallBack(new Error(`Redis ${this.redis.status}`));
    }
    return this.local.increment(key, ttl, limit);
  }

  async onApplicationShutdown(): Promise<void> {
    this.local.close();
    this.redis?.disconnect();
  }

  private fallBack(error: unknown): void {
    if (this.usingFallback) return;
    this.usingFallback = true;
    this.logger.warn(
      `Redis unavailable (${error instanceof Error ? error.message : String(error)}); counting rate limits in this process until it returns`,
    );
  }
}
