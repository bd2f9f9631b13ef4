import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Logger,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';
import { AppConfig } from '@app/modules/config/app-config';
import { Public, RequireSession } from '@app/modules/auth/auth.decorators';
import { foreignOrigin, type SignedInRequest } from '@app/modules/auth/edge-access.hook';
import { keySignInBody, oidcCallbackQuery, oidcLoginQuery, safeReturnTo } from '@app/modules/auth/http/session.schemas';
import { OidcSignIn, SignInNotConfigured, SignInRefused } from '@app/modules/auth/oidc/oidc-sign-in.service';
import {
  clearCookie,
  cookieValue,
  SESSION_COOKIE,
  setCookie,
  SIGN_IN_COOKIE,
  SIGN_IN_TTL_MS,
  type StoredSession,
} from '@app/modules/auth/sessions/session';
import { SessionsService, type SessionView } from '@app/modules/auth/sessions/sessions.service';
import { bodyPipe, queryPipe } from '@app/modules/http/schema.pipe';
import { BadRequestError, ForbiddenError, UnavailableError } from '@app/modules/thresholds/domain/errors';

/**
 * People's sessions (CONTRACT §9): sign in with the organisation's provider or with one's own API
 * key, see the session, end it. Every refusal is logged with its reason and the client's IP, never
 * a key, code, token or cookie.
 */
@Controller('v1/session')
export class SessionController {
  private readonly logger = new Logger('SignIn');

  constructor(
    private readonly sessions: SessionsService,
    private readonly oidc: OidcSignIn,
    private readonly keys: ApiKeyRegistry,
    @InjectMetric(METRIC.signIns) private readonly signIns: Counter<'method' | 'outcome'>,
    private readonly config: AppConfig,
  ) {}

  /** A person signs in with their own API key; the answer sets the session cookie. */
  @Public()
  @Post()
  @HttpCode(201)
  async signInWithKey(
    @Body(bodyPipe(keySignInBody)) body: { api_key: string },
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionView> {
    void reply.header('cache-control', 'no-store');
    this.refuseForeignOrigin(request);
    if (!this.config.signIn.keySignIn) {
      this.refused(request, 'api_key', 'sign-in with an API key is off here (SESSION_KEY_SIGN_IN)');
      throw new ForbiddenException(
        'Sign-in with an API key is off here (SESSION_KEY_SIGN_IN; with OIDC_ISSUER set, people sign in at the identity provider): use /v1/session/oidc/login.',
      );
    }
    const principal = this.keys.authenticate(body.api_key);
    if (!principal) {
      this.refused(request, 'api_key', 'the API key is not valid');
      throw new UnauthorizedException('The API key is not valid.');
    }
    await this.endPrevious(request);
    const { id, session } = await this.sessions.open({
      principal: principal.name,
      role: principal.role,
      method: 'api_key',
      keySha256: sha256Hex(body.api_key),
    });
    this.logger.log(`${session.principal} signed in with an API key (role ${session.role}) from ${request.ip}`);
    this.signIns.inc({ method: 'api_key', outcome: 'ok' });
    void reply.header('set-cookie', this.sessionCookie(id, session));
    return this.sessions.view(session);
  }

  /** How people can sign in here: what the console's sign-in page offers. */
  @Public()
  @Get('methods')
  methods(): { oidc: boolean; api_key: boolean } {
    return { oidc: this.oidc.settings !== undefined, api_key: this.config.signIn.keySignIn };
  }

  @RequireSession()
  @Get()
  current(@Req() request: SignedInRequest, @Res({ passthrough: true }) reply: FastifyReply): SessionView {
    void reply.header('cache-control', 'no-store');
    return this.sessions.view(request.session!);
  }

  /** Ends the session everywhere (every replica reads the same store). */
  @RequireSession()
  @Delete()
  @HttpCode(204)
  async signOut(@Req() request: SignedInRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.endPrevious(request);
    this.logger.log(`${request.session!.principal} signed out`);
    void reply.header('set-cookie', clearCookie(SESSION_COOKIE));
  }

  /** Starts a sign-in at the provider: a redirect there, and a cookie binding the callback to this browser. */
  @Public()
  @Get('oidc/login')
  async oidcLogin(
    @Query(queryPipe(oidcLoginQuery)) query: { return_to?: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const returnTo = safeReturnTo(query.return_to);
    if (returnTo === undefined) {
      throw new BadRequestError(
        'return_to must be a path of this service (starting with one /, e.g. /console/thresholds, at most 2048 characters); another origin is never followed.',
      );
    }
    const { url, secrets } = await this.withOidc(() => this.oidc.start(returnTo));
    const id = await this.sessions.startSignIn(secrets);
    void reply
      .header('set-cookie', setCookie(SIGN_IN_COOKIE, id, SIGN_IN_TTL_MS / 1000))
      .header('cache-control', 'no-store')
      .redirect(url.href, 302);
  }

  /** The provider sends the person back here: the code is exchanged, checked, and a session opened. */
  @Public()
  @Get('oidc/callback')
  async oidcCallback(
    @Query(queryPipe(oidcCallbackQuery)) _query: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (!this.oidc.settings) throw new SignInNotConfigured();
    const cookie = cookieValue(request.headers.cookie, SIGN_IN_COOKIE);
    const pending = cookie === undefined ? undefined : await this.sessions.takeSignIn(cookie);
    // The sign-in cookie is spent whatever happens next.
    void reply.header('set-cookie', clearCookie(SIGN_IN_COOKIE)).header('cache-control', 'no-store');
    if (!pending) {
      this.refused(request, 'oidc', 'no sign-in in progress in this browser (no, an expired or a used sign-in cookie)');
      throw new BadRequestError(
        'No sign-in is in progress in this browser (it expired after 10 minutes, was already completed, or started elsewhere): start again at /v1/session/oidc/login.',
      );
    }
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    let person;
    try {
      person = await this.oidc.complete(query, pending);
    } catch (error) {
      if (error instanceof SignInRefused) {
        this.refused(request, 'oidc', error.reason);
        throw new UnauthorizedException(`The sign-in was refused: ${error.reason}. Start again.`);
      }
      if (error instanceof UnavailableError) this.signIns.inc({ method: 'oidc', outcome: 'unavailable' });
      else this.refused(request, 'oidc', (error as Error).message);
      throw error;
    }
    if (this.keys.keys.some((k) => k.name === person.principal)) {
      // One name, two identities: four-eyes compares names, and the audit trail could not tell them apart.
      this.refused(request, 'oidc', `${person.principal} is also the name of an API key`);
      throw new ForbiddenError(
        `${person.principal} is also the name of an API key here; a person and a key never share a name. Rename the key (API_KEYS).`,
      );
    }
    await this.endPrevious(request);
    const { id, session } = await this.sessions.open({ ...person, method: 'oidc' });
    this.logger.log(
      `${session.principal} signed in at the identity provider (role ${session.role}) from ${request.ip}`,
    );
    this.signIns.inc({ method: 'oidc', outcome: 'ok' });
    void reply.header('set-cookie', this.sessionCookie(id, session)).redirect(pending.returnTo, 303);
  }

  private sessionCookie(id: string, session: StoredSession): string {
    return setCookie(SESSION_COOKIE, id, this.sessions.cookieMaxAge(session));
  }

  /** A new sign-in ends the session the browser held (its id is never reused: no fixation). */
  private async endPrevious(request: FastifyRequest): Promise<void> {
    const previous = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (previous !== undefined) await this.sessions.end(previous);
  }

  /** A sign-in posted by another site's page (login CSRF) is refused. */
  private refuseForeignOrigin(request: FastifyRequest): void {
    const foreign = foreignOrigin(request);
    if (foreign !== undefined) {
      this.refused(request, 'api_key', `a sign-in posted from another origin (${foreign})`);
      throw new ForbiddenException(`Sign-in from another origin (${foreign}) is refused.`);
    }
  }

  private async withOidc<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnavailableError) this.signIns.inc({ method: 'oidc', outcome: 'unavailable' });
      throw error;
    }
  }

  private refused(request: FastifyRequest, method: 'api_key' | 'oidc', reason: string): void {
    this.logger.warn(`sign-in refused (${method}) from ${request.ip}, request ${String(request.id)}: ${reason}`);
    this.signIns.inc({ method, outcome: 'refused' });
  }
}
