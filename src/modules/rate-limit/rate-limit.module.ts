import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '@app/modules/config/app-config';
import { RateLimitGuard } from '@app/modules/rate-limit/rate-limit.guard';
import { ResilientThrottlerStorage } from '@app/modules/rate-limit/resilient-throttler.storage';

/** Rate limiting with @nestjs/throttler: three budgets per client and window (SPEC §6). */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { enabled, windowMs, limits, redisUrl } = config.rateLimit;
    if (!enabled) return { module: RateLimitModule };
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'read', ttl: windowMs, limit: limits.read },
            { name: 'classify', ttl: windowMs, limit: limits.classify },
            { name: 'write', ttl: windowMs, limit: limits.write },
          ],
          storage: new ResilientThrottlerStorage(redisUrl),
          setHeaders: false,
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
    };
  }
}
