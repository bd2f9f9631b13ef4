import { z } from 'zod';
import { ROLES } from '@app/modules/auth/api-keys';

/** `POST /v1/session`: a person's own API key, exchanged for a session cookie. */
export const keySignInBody = z
  .strictObject({
    api_key: z.string().min(1, { error: 'the API key, as npm run key:create printed it' }).max(512, {
      error: 'at most 512 characters',
    }),
  })
  .meta({ id: 'KeySignIn' });

/** `GET /v1/session/oidc/login`: where to go once signed in (a path of this service). */
export const oidcLoginQuery = z.strictObject({
  return_to: z
    .string()
    .max(2048, { error: 'at most 2048 characters' })
    .optional()
    .meta({ description: 'A path of this service to go to once signed in (default /console/); never another origin.' }),
});

/** `GET /v1/session/oidc/callback`: what the provider sends back (checked by openid-client). */
export const oidcCallbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(1024).optional(),
  iss: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

export const sessionResponse = z
  .object({
    principal: z.string().meta({
      description: "Who is signed in: the person's email (else the provider's subject), or the API key's name.",
    }),
    role: z.enum(ROLES),
    method: z.enum(['oidc', 'api_key']).meta({ description: 'How they signed in.' }),
    csrf_token: z
      .string()
      .meta({ description: 'Send it as X-CSRF-Token on every request of this session that changes anything.' }),
    expires_at: z
      .string()
      .meta({ description: 'When the session ends if unused from now on (idle, or the absolute end if sooner).' }),
  })
  .meta({ id: 'Session' });

export const signInMethodsResponse = z
  .object({
    oidc: z
      .boolean()
      .meta({ description: "Sign-in at the organisation's identity provider (/v1/session/oidc/login)." }),
    api_key: z.boolean().meta({ description: "Sign-in with one's own API key (POST /v1/session)." }),
  })
  .meta({ id: 'SignInMethods' });

/** The default `return_to`: the console. */
export const DEFAULT_RETURN_TO = '/console/';

/** The longest `return_to` kept (as the browser will be sent to it, percent-encoded). */
const MAX_RETURN_TO = 2048;

/**
 * A `return_to` that stays on this service: a path (`/…`), never `//host` or `/\\host` (which a
 * browser reads as another origin) before or after its dot segments are resolved (`/.//host`), no
 * scheme, no control characters, at most 2048 characters as it will be sent. Answers the path to
 * redirect to, or undefined.
 */
export function safeReturnTo(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return DEFAULT_RETURN_TO;
  const offOrigin = (path: string): boolean => !path.startsWith('/') || path.startsWith('//') || path.includes('\\');
  // eslint-disable-next-line no-control-regex
  if (offOrigin(value) || /[\u0000-\u001f\u007f]/.test(value)) return undefined;
  const base = 'http://this-service.invalid';
  let parsed: URL;
  try {
    parsed = new URL(value, base);
  } catch {
    return undefined;
  }
  const path = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  if (parsed.origin !== base || offOrigin(path) || path.length > MAX_RETURN_TO) return undefined;
  return path;
}
