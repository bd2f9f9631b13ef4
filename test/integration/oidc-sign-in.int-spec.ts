import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { createTestApp, expectProblem, send, signIn, TEST_KEYS } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';
import { startTestProvider, TestBrowser, type TestProvider } from '@test/support/oidc';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';

const SERVICE = 'localhost:8080';
const ORIGIN = `http://${SERVICE}`;
const REDIRECT_URL = `${ORIGIN}/v1/session/oidc/callback`;
const CLIENT_SECRET = 'oidc-test-client-secret-7f3a9c';
const CR = '/v1/admin/risk/change-requests';

/** The people at the provider: their claims. Carol's group maps to no role. */
const ACCOUNTS = {
  alice: { email: 'alice@example.com', email_verified: true, name: 'Alice', roles: ['risk-editors'] },
  bob: { email: 'bob@example.com', email_verified: true, name: 'Bob', roles: ['risk-admins', 'staff'] },
  carol: { email: 'carol@example.com', email_verified: true, name: 'Carol', roles: ['marketing'] },
  dave: { email: 'dave@example.com', email_verified: false, name: 'Dave', roles: ['risk-readers'] },
  vera: { email: 'vera@example.com', email_verified: 'false', roles: ['risk-readers'] },
  // An address that shows as alice's (a right-to-left override at its end).
  mallory: { email: 'alice@example.com\u202e', email_verified: true, roles: ['risk-admins'] },
  // A subject with no email that is also an API key's name.
  'test-reader': { roles: ['risk-readers'] },
};

/** Resolves once `check` holds, polling; fails after 10 s. */
async function waitFor(check: () => boolean): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 10_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const isCallback = (url: URL): boolean => url.host === SERVICE && url.pathname === '/v1/session/oidc/callback';

// CONTRACT §9 against a real OpenID provider (oidc-provider, in its own process), on PostgreSQL
// with two replicas (A and B) sharing one database.
describe('sign-in at an OpenID provider', () => {
  let provider: TestProvider;
  let db: TestDatabase;
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;
  let baseEnv: Record<string, string>;
  const logs: string[] = [];

  beforeAll(async () => {
    provider = await startTestProvider({
      clientId: 'risk-threshold-service',
      clientSecret: CLIENT_SECRET,
      redirectUrl: REDIRECT_URL,
      accounts: ACCOUNTS,
    });
    db = await createTestDatabase();
    const env = {
      STORAGE: 'postgres',
      DATABASE_URL: db.url,
      CHANGE_APPROVALS: '1',
      LOG_LEVEL: 'info',
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: 'risk-threshold-service',
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URL: REDIRECT_URL,
      OIDC_SCOPES: 'openid email profile roles',
      OIDC_ROLE_MAP: 'risk-admins:admin,risk-editors:editor,risk-readers:reader',
      SESSION_KEY_SIGN_IN: 'true',
    };
    baseEnv = env;
    const capture = (): Writable =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs.push(chunk.toString());
          done();
        },
      });
    [a, b] = await Promise.all([
      createTestApp({ env, logStream: capture() }),
      createTestApp({ env, logStream: capture() }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a, b].map((app) => app?.close()));
    await db?.drop();
    await provider?.stop();
  });

  /** Signs `login` in at the provider, up to the callback (not yet requested). */
  async function toCallback(
    browser: TestBrowser,
    login: string,
    returnTo = '/console/thresholds?category=financial',
  ): Promise<string> {
    const start = `${ORIGIN}/v1/session/oidc/login?return_to=${encodeURIComponent(returnTo)}`;
    const { stoppedAt, last } = await browser.navigate(start, login, isCallback);
    if (!stoppedAt) throw new Error(`no callback: ${last.status} ${last.body.slice(0, 300)}`);
    return stoppedAt;
  }

  /** A browser signed in as `login` (on replica A), and the headers of its signed-in requests. */
  async function signedIn(login: string): Promise<{ browser: TestBrowser; headers: Record<string, string> }> {
    const browser = new TestBrowser(a, SERVICE);
    const done = await browser.request('GET', await toCallback(browser, login));
    expect(done.status).toBe(303);
    const cookie = `__Host-rts-session=${browser.cookies(SERVICE).get('__Host-rts-session')}`;
    const session = await send(a, 'GET', '/v1/session', undefined, { authorization: '', cookie });
    expect(session.statusCode).toBe(200);
    return {
      browser,
      headers: { authorization: '', cookie, host: SERVICE, origin: ORIGIN, 'x-csrf-token': session.json().csrf_token },
    };
  }

  /** Whether the browser holds a session the service accepts. */
  async function hasSession(browser: TestBrowser, app = a): Promise<boolean> {
    const id = browser.cookies(SERVICE).get('__Host-rts-session');
    if (id === undefined) return false;
    const res = await send(app, 'GET', '/v1/session', undefined, {
      authorization: '',
      cookie: `__Host-rts-session=${id}`,
    });
    return res.statusCode === 200;
  }

  it('the code flow ends with a session whose principal is the person and whose role is mapped', async () => {
    const browser = new TestBrowser(a, SERVICE);
    const callback = new URL(await toCallback(browser, 'alice'));
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBeTruthy();
    const done = await browser.request('GET', callback.href);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/console/thresholds?category=financial');
    const cookies = [done.headers['set-cookie']].flat().join('\n');
    expect(cookies).toMatch(
      /__Host-rts-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=43200/,
    );
    expect(cookies).toMatch(/__Host-rts-sign-in=; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=0/);
    const id = browser.cookies(SERVICE).get('__Host-rts-session');
    const session = await send(a, 'GET', '/v1/session', undefined, {
      authorization: '',
      cookie: `__Host-rts-session=${id}`,
    });
    expect(session.json()).toMatchObject({ principal: 'alice@example.com', role: 'editor', method: 'oidc' });
  });

  it('the highest mapped role wins; an unverified email is not the principal (the subject is)', async () => {
    const bob = await signedIn('bob');
    expect((await send(a, 'GET', '/v1/session', undefined, bob.headers)).json()).toMatchObject({
      principal: 'bob@example.com',
      role: 'admin',
    });
    const dave = await signedIn('dave');
    expect((await send(a, 'GET', '/v1/session', undefined, dave.headers)).json()).toMatchObject({
      principal: 'dave',
      role: 'reader',
    });
    const vera = await signedIn('vera');
    expect((await send(a, 'GET', '/v1/session', undefined, vera.headers)).json().principal).toBe('vera');
  });

  it('an identifier with invisible characters is refused (400), no session', async () => {
    const browser = new TestBrowser(a, SERVICE);
    const done = await browser.request('GET', await toCallback(browser, 'mallory'));
    expect(done.status).toBe(400);
    expect(JSON.parse(done.body).detail).toContain('control or invisible characters');
    expect(await hasSession(browser)).toBe(false);
  });

  it('a person never gets the name of an API key (four-eyes and the audit trail compare names)', async () => {
    const browser = new TestBrowser(a, SERVICE);
    const done = await browser.request('GET', await toCallback(browser, 'test-reader'));
    expect(done.status).toBe(403);
    expect(JSON.parse(done.body).detail).toContain('test-reader is also the name of an API key');
    expect(await hasSession(browser)).toBe(false);
  });

  it('a person with no mapped role gets no session', async () => {
    const browser = new TestBrowser(a, SERVICE);
    const done = await browser.request('GET', await toCallback(browser, 'carol'));
    expect(done.status).toBe(403);
    expect(JSON.parse(done.body)).toMatchObject({ code: 'FORBIDDEN' });
    expect(JSON.parse(done.body).detail).toContain('carol@example.com signed in, but no role is mapped');
    expect(await hasSession(browser)).toBe(false);
  });

  it.each([
    ['an ID token signed by another key (the provider key id)', 'foreign-key'],
    ['an ID token signed by a key the provider does not publish', 'unknown-key'],
    ['an ID token for another audience', 'wrong-audience'],
    ['an expired ID token', 'expired'],
    ['an ID token with another nonce', 'wrong-nonce'],
    ['an ID token from another issuer', 'wrong-issuer'],
  ])('refuses %s: 401 and no session', async (_label, tamper) => {
    const browser = new TestBrowser(a, SERVICE);
    const callback = await toCallback(browser, 'bob');
    await provider.tamperNextIdToken(tamper);
    const done = await browser.request('GET', callback);
    expect({ tamper, status: done.status }).toEqual({ tamper, status: 401 });
    expect(JSON.parse(done.body).detail).toMatch(/^The sign-in was refused: /);
    expect(await hasSession(browser)).toBe(false);
  });

  it('refuses a tampered state, and the sign-in cannot be completed after that', async () => {
    const browser = new TestBrowser(a, SERVICE);
    const callback = new URL(await toCallback(browser, 'alice'));
    const state = callback.searchParams.get('state')!;
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${state.slice(0, -2)}xy`);
    expect((await browser.request('GET', tampered.href)).status).toBe(401);
    expect(await hasSession(browser)).toBe(false);
    // The pending sign-in was used up by the refused attempt: the genuine callback finds nothing.
    expect((await browser.request('GET', callback.href)).status).toBe(400);
    expect(await hasSession(browser)).toBe(false);
  });

  it('refuses a replayed code: the same callback again, or the code under a new sign-in', async () => {
    const browser = new TestBrowser(a, SERVICE);
    const callback = new URL(await toCallback(browser, 'alice'));
    expect((await browser.request('GET', callback.href)).status).toBe(303);
    // Again in the same browser: its sign-in is spent.
    const again = await browser.request('GET', callback.href);
    expect(again.status).toBe(400);
    // An attacker's browser with its own sign-in in progress, replaying the stolen code.
    const attacker = new TestBrowser(a, SERVICE);
    const own = new URL(await toCallback(attacker, 'carol'));
    const replay = new URL(own);
    replay.searchParams.set('code', callback.searchParams.get('code')!);
    const replayed = await attacker.request('GET', replay.href);
    expect(replayed.status).toBe(401);
    expect(await hasSession(attacker)).toBe(false);
  });

  it('refuses a callback from a browser that did not start the sign-in', async () => {
    const victim = new TestBrowser(a, SERVICE);
    const callback = await toCallback(victim, 'alice');
    const other = new TestBrowser(a, SERVICE);
    expect((await other.request('GET', callback)).status).toBe(400);
    expect(await hasSession(other)).toBe(false);
  });

  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'evil.example'])(
    'never follows return_to %s: 400 before any redirect',
    async (returnTo) => {
      const browser = new TestBrowser(a, SERVICE);
      const res = await browser.request(
        'GET',
        `${ORIGIN}/v1/session/oidc/login?return_to=${encodeURIComponent(returnTo)}`,
      );
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(browser.cookies(SERVICE).has('__Host-rts-sign-in')).toBe(false);
    },
  );

  it('records the person as author, reviewer and applier, and in the threshold history', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const draft = await send(
      a,
      'POST',
      CR,
      {
        title: 'Signed-in change',
        reason: 'made by a person, not a key',
        items: [{ op: 'create', threshold: aCreateBody({ name: 'Signed in' }) }],
      },
      alice.headers,
    );
    expect(draft.statusCode).toBe(201);
    const id = draft.json().id;
    expect(draft.json().created_by).toBe('alice@example.com');
    expect((await send(a, 'POST', `${CR}/${id}/submit`, undefined, alice.headers)).statusCode).toBe(200);
    const own = await send(a, 'POST', `${CR}/${id}/reviews`, { decision: 'approve' }, alice.headers);
    expectProblem(own, 403, 'SELF_REVIEW');
    const reviewed = await send(b, 'POST', `${CR}/${id}/reviews`, { decision: 'approve' }, bob.headers);
    expect(reviewed.json().reviews[0].reviewer).toBe('bob@example.com');
    const applied = await send(a, 'POST', `${CR}/${id}/apply`, {}, alice.headers);
    expect(applied.json()).toMatchObject({ state: 'applied', applied_by: 'alice@example.com' });
    const thresholdId = applied.json().items[0].threshold_id;
    const created = (await send(a, 'GET', `/v1/admin/risk/thresholds/${thresholdId}`, undefined, alice.headers)).json();
    expect(created).toMatchObject({ created_by: 'alice@example.com', last_modified_by: 'alice@example.com' });
    const history = await send(a, 'GET', `/v1/admin/risk/thresholds/${created.id}/history`, undefined, alice.headers);
    expect(history.json().history[0].actor).toBe('alice@example.com');
  });

  it('sign-out on one replica refuses the cookie on the other at once', async () => {
    const { browser, headers } = await signedIn('alice');
    expect(await hasSession(browser, b)).toBe(true);
    expect((await send(a, 'DELETE', '/v1/session', undefined, headers)).statusCode).toBe(204);
    const onB = await send(b, 'GET', '/v1/risk/categories', undefined, headers);
    expect(expectProblem(onB, 401, 'UNAUTHORIZED').detail).toContain('The session has ended');
  });

  it('a session lives while what opened it still gives a role: the same key, a mapped claim', async () => {
    const alice = await signedIn('alice');
    const dave = await signedIn('dave');
    const keyCookie = await signIn(a, 'editor');
    const readerCookie = await signIn(a, 'reader');
    // A replica (same database) where test-editor is another key, the reader's key is named
    // otherwise, a key is named dave, and risk-editors maps to nothing.
    const c = await createTestApp({
      env: {
        ...baseEnv,
        API_KEYS: [
          `test-editor:editor:${'ab'.repeat(32)}`,
          `renamed-reader:reader:${sha256Hex(TEST_KEYS.reader)}`,
          `dave:reader:${'cd'.repeat(32)}`,
        ].join(','),
        OIDC_ROLE_MAP: 'risk-admins:admin,risk-readers:reader',
      },
    });
    try {
      expect((await send(c, 'GET', '/v1/session', undefined, keyCookie)).statusCode).toBe(401);
      expect((await send(c, 'GET', '/v1/session', undefined, readerCookie)).statusCode).toBe(401);
      expect((await send(c, 'GET', '/v1/session', undefined, alice.headers)).statusCode).toBe(401);
      expect((await send(c, 'GET', '/v1/session', undefined, dave.headers)).statusCode).toBe(401);
      // Ended for good: the replicas that still know the key and the role refuse them too.
      expect((await send(a, 'GET', '/v1/session', undefined, keyCookie)).statusCode).toBe(401);
      expect((await send(a, 'GET', '/v1/session', undefined, alice.headers)).statusCode).toBe(401);
    } finally {
      await c.close();
    }
  });

  it('with OIDC_ISSUER set, a person cannot also sign in with a key unless SESSION_KEY_SIGN_IN=true', async () => {
    const keyCookie = await signIn(a, 'editor');
    const { SESSION_KEY_SIGN_IN: _on, ...defaults } = baseEnv;
    const c = await createTestApp({ env: defaults });
    try {
      // A key's session opened while key sign-in was on ends where it is off.
      expect((await send(c, 'GET', '/v1/session', undefined, keyCookie)).statusCode).toBe(401);
      const res = await send(c, 'POST', '/v1/session', { api_key: TEST_KEYS.editor }, { authorization: '' });
      expect(expectProblem(res, 403, 'FORBIDDEN').detail).toContain('SESSION_KEY_SIGN_IN');
      expect(res.headers['set-cookie']).toBeUndefined();
      // Machines' keys are unaffected.
      expect(
        (await send(c, 'GET', '/v1/risk/categories', undefined, { authorization: `Bearer ${TEST_KEYS.reader}` }))
          .statusCode,
      ).toBe(200);
    } finally {
      await c.close();
    }
  });

  it('keys still work unchanged beside sessions', async () => {
    const res = await send(a, 'GET', '/v1/risk/categories', undefined, { authorization: `Bearer ${TEST_KEYS.reader}` });
    expect(res.statusCode).toBe(200);
  });

  it('logs every sign-in and refusal, and never a code, state, token, cookie or the client secret', async () => {
    const browser = new TestBrowser(a, SERVICE);
    const callback = new URL(await toCallback(browser, 'bob'));
    await browser.request('GET', callback.href);
    const id = browser.cookies(SERVICE).get('__Host-rts-session')!;
    // Info lines reach the stream within a second (LOG_FLUSH_INTERVAL_MS).
    await waitFor(() => logs.join('').includes('bob@example.com signed in at the identity provider'));
    const text = logs.join('');
    expect(text).toContain('bob@example.com signed in at the identity provider (role admin)');
    expect(text).toContain('sign-in refused (oidc)');
    for (const secret of [callback.searchParams.get('code')!, callback.searchParams.get('state')!, id, CLIENT_SECRET]) {
      expect(text).not.toContain(secret);
    }
    const metrics = (await send(a, 'GET', '/metrics', undefined, { authorization: '' })).body;
    expect(metrics).toMatch(/^risk_sign_ins_total\{method="oidc",outcome="ok"\} [1-9]/m);
    expect(metrics).toMatch(/^risk_sign_ins_total\{method="oidc",outcome="refused"\} [1-9]/m);
    // No JWT (ID token) of any kind.
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });
});

describe('sign-in while the provider cannot be reached', () => {
  it('answers 503 with the reason; the rest of the service works', async () => {
    const app = await createTestApp({
      env: {
        OIDC_ISSUER: 'http://127.0.0.1:9',
        OIDC_CLIENT_ID: 'risk-threshold-service',
        OIDC_REDIRECT_URL: REDIRECT_URL,
        OIDC_ROLE_MAP: '*:reader',
      },
    });
    try {
      const res = await send(app, 'GET', '/v1/session/oidc/login', undefined, { authorization: '' });
      expect(expectProblem(res, 503, 'SERVICE_UNAVAILABLE').detail).toContain('identity provider could not be reached');
      expect((await send(app, 'GET', '/v1/risk/categories')).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
