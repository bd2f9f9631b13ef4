import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EdgeAccessHook } from '@app/modules/auth/edge-access.hook';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';
import { SessionController } from '@app/modules/auth/http/session.controller';
import { OidcSignIn } from '@app/modules/auth/oidc/oidc-sign-in.service';
import { SessionClock, SessionsService } from '@app/modules/auth/sessions/sessions.service';

/**
 * Who is calling (CONTRACT §6, §9): machines with API keys, people with a session opened at the
 * organisation's provider or with their own key; both checked at the edge, with rate limiting,
 * by one hook. The session store comes with the other stores (ThresholdStorageModule).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [SessionController],
  providers: [ApiKeyRegistry, EdgeAccessHook, SessionClock, SessionsService, OidcSignIn],
  exports: [ApiKeyRegistry],
})
export class AuthModule {}
