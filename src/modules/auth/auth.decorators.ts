import type { Role } from '@app/modules/auth/api-keys';
import { addRouteConfig, type Access } from '@app/modules/http/edge/route-config';

export type { Access } from '@app/modules/http/edge/route-config';

/**
 * Declares a controller route's access in its Fastify route config (`config.access`), where the
 * edge pipeline reads it for every route, however registered. On a method it is the method's; on
 * a class it applies to each of the class's routes that declares none of its own (TypeScript
 * applies method decorators before the class's).
 */
function accessDecorator(access: Access): MethodDecorator & ClassDecorator {
  return ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      addRouteConfig(descriptor.value as object, { access });
      return descriptor;
    }
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const member = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (name !== 'constructor' && typeof member === 'function') addRouteConfig(member, { access }, false);
    }
    return undefined;
  }) as MethodDecorator & ClassDecorator;
}

/** Open to anyone (probes, metrics, docs, signing in). */
export const Public = (): MethodDecorator & ClassDecorator => accessDecorator({ public: true });

/** Requires an API key or a session with at least this role. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator => accessDecorator({ role });

/** Requires a person's session (the cookie), whatever its role: an API key alone has no session. */
export const RequireSession = (): MethodDecorator & ClassDecorator => accessDecorator({ session: true });
