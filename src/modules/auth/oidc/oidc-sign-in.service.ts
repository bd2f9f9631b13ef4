import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import * as client from 'openid-client';
import type { Role } from '@app/modules/auth/api-keys';
import { claimValues, mappedRole } from '@app/modules/auth/oidc/role-map';
import type { PendingSignIn } from '@app/modules/auth/sessions/session';
import { AppConfig, type OidcConfig } from '@app/modules/config/app-config';
import { BadRequestError, DomainError, ForbiddenError, UnavailableError } from '@app/modules/thresholds/domain/errors';

/** How long a request to the provider (discovery, token, keys) may take. */
const PROVIDER_TIMEOUT_S = 10;
/** After a failed discovery, sign-ins answer 503 for this long before asking the provider again. */
const DISCOVERY_RETRY_MS = 5_000;
/** The principal is stored where an actor is (255 characters). */
const MAX_PRINCIPAL = 255;

/** The provider refused the sign-in, or its answer failed a check: no session (a 401). */
export class SignInRefused extends Error {
  constructor(
    /** Why, for the log and the problem's detail: never a token, code or secret. */
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Who signed in: the person (email, else subject), the role their claims map to, and those claim values. */
export interface SignedInPerson {
  principal: string;
  role: Role;
  roleValues: string[];
}

/** The email, unless the provider says it is unverified (`email_verified` false, or "false"). */
function verifiedEmail(claims: Record<string, unknown>): string | undefined {
  const email = claims.email;
  if (typeof email !== 'string' || email === '') return undefined;
  const verified = claims.email_verified;
  const unverified =
    verified === false || verified === 0 || (typeof verified === 'string' && /^(false|0|no)$/i.test(verified.trim()));
  return unverified ? undefined : email;
}

/**
 * Sign-in at the organisation's OpenID Connect provider with openid-client (CONTRACT §9): the
 * authorization code flow with PKCE (S256), `state` and `nonce` kept server-side, and the ID
 * token's signature (the provider's published keys, fetched again when it rotates them), issuer,
 * audience, expiry and nonce checked by the library. Discovery happens at the first sign-in (the
 * service starts whether or not the provider answers), and again after a failure.
 */
@Injectable()
export class OidcSignIn implements OnApplicationBootstrap {
  readonly settings: OidcConfig | undefined;
  private discovered: Promise<client.Configuration> | undefined;
  private readonly logger = new Logger('SignIn');

  constructor(private readonly config: AppConfig) {
    this.settings = config.signIn.oidc;
  }

  onApplicationBootstrap(): void {
    const keys = this.config.signIn.keySignIn ? 'on' : 'off';
    this.logger.log(
      this.settings
        ? `sign-in: OpenID provider ${this.settings.issuer} (role claim ${this.settings.roleClaim}, ${this.settings.roleMap.length} role mapping(s)); with an API key: ${keys} (SESSION_KEY_SIGN_IN)`
        : `sign-in: with an API key ${keys === 'on' ? '(POST /v1/session)' : 'off (SESSION_KEY_SIGN_IN)'}; no OpenID provider (OIDC_ISSUER unset)`,
    );
  }

  /** The provider's authorization URL for a new sign-in, and the secrets its callback is checked with. */
  async start(returnTo: string): Promise<{ url: URL; secrets: Omit<PendingSignIn, 'idHash' | 'expiresAt'> }> {
    const settings = this.required();
    const configuration = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: settings.redirectUrl,
      scope: settings.scopes,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, secrets: { state, nonce, codeVerifier, returnTo } };
  }

  /**
   * Completes a sign-in from the callback's query: exchanges the code (with the PKCE verifier),
   * checks the ID token and the state, and maps the person's claims to a role.
   */
  async complete(query: string, pending: PendingSignIn): Promise<SignedInPerson> {
    const settings = this.required();
    const configuration = await this.configuration();
    const callback = new URL(settings.redirectUrl);
    callback.search = query;
    let claims: Record<string, unknown> | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw this.refusal(error);
    }
    if (!claims) throw new SignInRefused('the provider answered without an ID token');
    return this.person(claims, settings);
  }

  /** The person's principal and role from the ID token's claims. */
  private person(claims: Record<string, unknown>, settings: OidcConfig): SignedInPerson {
    // An email the provider says is unverified is not an identity: the subject is.
    const principal = verifiedEmail(claims) ?? String(claims.sub);
    // Control, format (bidirectional overrides, zero-width) and line/paragraph separators: a name that
    // shows as another, or breaks a log line.
    if (principal.length > MAX_PRINCIPAL || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(principal)) {
      throw new BadRequestError(
        `The identifier the provider gave (email, else subject) is longer than ${MAX_PRINCIPAL} characters or holds control or invisible characters; it cannot be recorded.`,
      );
    }
    const roleValues = claimValues(claims, settings.roleClaim);
    const role = mappedRole(roleValues, settings.roleMap);
    if (!role) {
      // For the operator: a claim missing from the ID token is a provider setting, not a missing assignment.
      this.logger.warn(
        roleValues.length === 0
          ? `${principal} has no ${settings.roleClaim} claim in the ID token (is the provider set to put it there?)`
          : `${principal}'s ${settings.roleClaim} claim (${roleValues.slice(0, 20).join(', ')}) matches no entry of OIDC_ROLE_MAP`,
      );
      throw new ForbiddenError(
        `${principal} signed in, but no role is mapped to them: their ${settings.roleClaim} claim matches no entry of OIDC_ROLE_MAP. Ask an administrator for access.`,
      );
    }
    return { principal, role, roleValues };
  }

  private refusal(error: unknown): Error {
    if (error instanceof client.AuthorizationResponseError) {
      // The provider sent the person back with an error (they declined, or the request was refused).
      return new SignInRefused(
        `the provider answered ${error.error}${error.error_description ? `: ${error.error_description}` : ''}`,
      );
    }
    const code = (error as { code?: unknown }).code;
    if (
      (error instanceof client.ResponseBodyError && error.error === 'invalid_client') ||
      code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE'
    ) {
      return new SignInRefused(
        "the provider refused this service's client credentials (OIDC_CLIENT_ID or OIDC_CLIENT_SECRET wrong, or the secret expired)",
      );
    }
    if (error instanceof client.ResponseBodyError) {
      return new SignInRefused(`the provider refused the code: ${error.error}`);
    }
    // A check that failed (openid-client's OAUTH_* codes, jose's ERR_J*: signature, claims, state),
    // named by the innermost cause (which claim, which check).
    if (typeof code === 'string' && /^(OAUTH_|ERR_J)/.test(code)) {
      let inner = error as Error;
      while (inner.cause instanceof Error) inner = inner.cause;
      return new SignInRefused(`${inner.message} (${code})`);
    }
    if (error instanceof UnavailableError) return error;
    this.logger.warn(`the identity provider could not be reached: ${(error as Error).message}`);
    return new UnavailableError('The identity provider could not be reached; nobody was signed in. Retry later.');
  }

  /** The provider's configuration, discovered once (again after a failure, at most every few seconds). */
  private configuration(): Promise<client.Configuration> {
    if (this.discovered) return this.discovered;
    const settings = this.required();
    const attempt = client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret),
        {
          timeout: PROVIDER_TIMEOUT_S,
          execute: [
            // The ID token's signature is checked against the provider's keys, not only trusted by TLS.
            client.enableNonRepudiationChecks,
            // http only on loopback (config refuses it elsewhere): a provider started by tests.
            ...(settings.issuer.startsWith('http:') ? [client.allowInsecureRequests] : []),
          ],
        },
      )
      .catch((error: unknown) => {
        this.logger.warn(`OpenID provider discovery failed at ${settings.issuer}: ${(error as Error).message}`);
        setTimeout(() => {
          if (this.discovered === attempt) this.discovered = undefined;
        }, DISCOVERY_RETRY_MS).unref();
        throw new UnavailableError(
          'The identity provider could not be reached (its discovery document); nobody was signed in. Retry later.',
        );
      });
    this.discovered = attempt;
    return attempt;
  }

  private required(): OidcConfig {
    if (!this.settings) throw new SignInNotConfigured();
    return this.settings;
  }
}

/** Provider sign-in asked of a service without OIDC_ISSUER: a 404 that says so. */
export class SignInNotConfigured extends DomainError {
  readonly kind = 'not_found';
  constructor() {
    super(
      'Sign-in with an identity provider is not configured here (OIDC_ISSUER is unset): sign in with your own API key (POST /v1/session).',
    );
  }
}
