import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EdgeAccessHook } from '@app/modules/auth/edge-access.hook';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';

/** API keys with roles (CONTRACT §6), checked at the edge together with rate limiting (its hook). */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [ApiKeyRegistry, EdgeAccessHook],
  exports: [ApiKeyRegistry],
})
export class AuthModule {}
