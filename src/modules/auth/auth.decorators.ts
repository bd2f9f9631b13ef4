import { SetMetadata } from '@nestjs/common';
import type { Role } from '@app/modules/auth/api-keys';

export const ACCESS_METADATA = 'rts:access';

/** What a route requires: a role, or nothing (`public`). Routes without it are refused. */
export type Access = { role: Role } | { public: true };

/** Open to anyone (probes, metrics, docs). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_METADATA, { public: true } satisfies Access);

/** Requires an API key with at least this role. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_METADATA, { role } satisfies Access);
