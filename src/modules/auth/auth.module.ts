import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from '@app/modules/auth/api-key.guard';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';

/** API keys with roles (SPEC §6). Its guard runs after rate limiting's (see AppModule). */
@Global()
@Module({
  providers: [ApiKeyRegistry, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyRegistry],
})
export class AuthModule {}
