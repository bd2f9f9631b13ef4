import { SetMetadata } from '@nestjs/common';
import type { Role } from '@app/modules/auth/api-keys';

export const ACCESS_METADATA = 'rts:access';

/**
 * What a route requires: a role (an API key or a person's session with it), a session of any role
 * (the session's own routes), or nothing (`public`). Routes without one are refused.
 */
export type Access = { role: Role } | { session: true } | { public: true };

/** Open to anyone (probes, metrics, docs, signing in). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_METADATA, { public: true } satisfies Access);

/** Requires an API key or a session with at least this role. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_METADATA, { role } satisfies Access);

/** Requires a person's session (the cookie), whatever its role: an API key alone has no session. */
export const RequireSession = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_METADATA, { session: true } satisfies Access);
