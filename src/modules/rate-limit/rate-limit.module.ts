import { Module, type DynamicModule } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '@app/modules/config/app-config';
import { RateLimiter } from '@app/modules/rate-limit/rate-limiter';
import { ResilientThrottlerStorage, type RedisHealth } from '@app/modules/rate-limit/resilient-throttler.storage';

/** Where rate-limit counters live, for `/health/detailed` (absent when rate limiting is off). */
export class RateLimitStatus {
  constructor(private readonly storage: ResilientThrottlerStorage) {}

  redis(): Promise<RedisHealth> {
    return this.storage.health();
  }
}

/**
 * Rate limiting with @nestjs/throttler's storage: three budgets per client and window (CONTRACT §6),
 * applied by the edge hook of AuthModule (`RateLimiter`, absent when rate limiting is off).
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { enabled, windowMs, limits, redisUrl } = config.rateLimit;
    if (!enabled) return { module: RateLimitModule };
    const storage = new ResilientThrottlerStorage(redisUrl);
    return {
      module: RateLimitModule,
      global: true,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'read', ttl: windowMs, limit: limits.read },
            { name: 'classify', ttl: windowMs, limit: limits.classify },
            { name: 'write', ttl: windowMs, limit: limits.write },
            { name: 'signIn', ttl: windowMs, limit: limits.signIn },
          ],
          storage,
          setHeaders: false,
        }),
      ],
      providers: [RateLimiter, { provide: RateLimitStatus, useValue: new RateLimitStatus(storage) }],
      exports: [RateLimiter, RateLimitStatus],
    };
  }
}
