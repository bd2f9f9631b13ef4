import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { SessionClock } from '@app/modules/auth/sessions/sessions.service';
import { as, createTestApp, expectProblem, send, signIn, TEST_KEYS, TEST_ORIGIN } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';

/** A clock the test moves. */
class MovableClock extends SessionClock {
  at = Date.parse('2026-12-02T09:00:00Z');
  override now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

const MINUTE = 60_000;

describe('sessions (CONTRACT §9): a person signs in with their own key; cookie, CSRF, expiry', () => {
  let app: NestFastifyApplication;
  const clock = new MovableClock();
  const logs: string[] = [];
  beforeAll(async () => {
    app = await createTestApp({
      overrides: [{ provide: SessionClock, useValue: clock }],
      env: { LOG_LEVEL: 'info' },
      logStream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs.push(chunk.toString());
          done();
        },
      }),
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers the session and a cookie that is __Host-, HttpOnly, Secure, SameSite=Lax, for 12 hours', async () => {
    const res = await send(
      app,
      'POST',
      '/v1/session',
      { api_key: TEST_KEYS.editor },
      { authorization: '', ...TEST_ORIGIN },
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      principal: 'test-editor',
      role: 'editor',
      method: 'api_key',
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expires_at: new Date(clock.at + 30 * MINUTE).toISOString(),
    });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(
      /^__Host-rts-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=43200$/,
    );
    // The cookie is opaque: neither the key nor the CSRF token.
    expect(cookie).not.toContain(TEST_KEYS.editor);
    expect(cookie).not.toContain(body.csrf_token);
    const session = await send(app, 'GET', '/v1/session', undefined, {
      authorization: '',
      cookie: cookie.split(';')[0],
    });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toEqual(body);
  });

  it('refuses a wrong key (401), a malformed body (400) and a sign-in posted from another origin (403), setting no cookie', async () => {
    const wrong = await send(app, 'POST', '/v1/session', { api_key: 'rts_wrong' }, { authorization: '' });
    expect(expectProblem(wrong, 401, 'UNAUTHORIZED').detail).toBe('The API key is not valid.');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const malformed = await send(app, 'POST', '/v1/session', { key: TEST_KEYS.admin }, { authorization: '' });
    expectProblem(malformed, 400, 'VALIDATION_ERROR');
    expect(malformed.headers['set-cookie']).toBeUndefined();
    const foreign = await send(
      app,
      'POST',
      '/v1/session',
      { api_key: TEST_KEYS.admin },
      { authorization: '', host: 'risk.test', origin: 'https://evil.example' },
    );
    expectProblem(foreign, 403, 'FORBIDDEN');
    expect(foreign.headers['set-cookie']).toBeUndefined();
    // The refusals are logged, without the key.
    expect(logs.join('')).toContain('sign-in refused (api_key)');
    expect(logs.join('')).not.toContain('rts_wrong');
    const metrics = (await send(app, 'GET', '/metrics', undefined, { authorization: '' })).body;
    expect(metrics).toMatch(/^risk_sign_ins_total\{method="api_key",outcome="refused"\} [1-9]/m);
    expect(metrics).toMatch(/^risk_sign_ins_total\{method="api_key",outcome="ok"\} [1-9]/m);
  });

  it('a signed-in write needs the CSRF token and this service as Origin; with both it records the person', async () => {
    const browser = await signIn(app, 'editor');
    const create = (headers: Record<string, string>): ReturnType<typeof send> =>
      send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ name: `csrf ${Math.random()}` }), headers);
    const { 'x-csrf-token': token, origin: _origin, ...withoutTokenOrOrigin } = browser;
    expect(
      expectProblem(await create({ ...withoutTokenOrOrigin, origin: TEST_ORIGIN.origin }), 403, 'FORBIDDEN').detail,
    ).toContain('X-CSRF-Token');
    expect(
      expectProblem(await create({ ...browser, 'x-csrf-token': `${token.slice(0, -1)}x` }), 403, 'FORBIDDEN').detail,
    ).toContain("not this session's");
    expect(
      expectProblem(await create({ ...browser, origin: 'https://evil.example' }), 403, 'FORBIDDEN').detail,
    ).toContain('https://evil.example');
    expect(
      expectProblem(await create({ ...withoutTokenOrOrigin, 'x-csrf-token': token }), 403, 'FORBIDDEN').detail,
    ).toContain('Origin');
    const created = await create(browser);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ created_by: 'test-editor', last_modified_by: 'test-editor' });
    const history = await send(
      app,
      'GET',
      `/v1/admin/risk/thresholds/${created.json().id}/history`,
      undefined,
      browser,
    );
    expect(history.json().history[0].actor).toBe('test-editor');
    // Reads need no token.
    expect((await send(app, 'GET', '/v1/risk/categories', undefined, withoutTokenOrOrigin)).statusCode).toBe(200);
  });

  it('a request with a key is unaffected by a cookie: no CSRF token asked, the key decides', async () => {
    const browser = await signIn(app, 'reader');
    const res = await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ name: `key ${Math.random()}` }), {
      ...as('editor'),
      cookie: browser.cookie,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().created_by).toBe('test-editor');
  });

  it('a session has its role: a reader session cannot write', async () => {
    const reader = await signIn(app, 'reader');
    const res = await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody(), reader);
    expect(expectProblem(res, 403, 'FORBIDDEN').detail).toBe(
      'This operation needs the editor role; test-reader has reader.',
    );
  });

  it('sign-out ends the session: its cookie is refused and removed', async () => {
    const browser = await signIn(app, 'admin');
    const { 'x-csrf-token': _token, ...withoutToken } = browser;
    expectProblem(await send(app, 'DELETE', '/v1/session', undefined, withoutToken), 403, 'FORBIDDEN');
    const out = await send(app, 'DELETE', '/v1/session', undefined, browser);
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(
      /^__Host-rts-session=; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=0$/,
    );
    const after = await send(app, 'GET', '/v1/risk/categories', undefined, browser);
    expect(expectProblem(after, 401, 'UNAUTHORIZED').detail).toContain('The session has ended');
    expect(String(after.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('says how people sign in here', async () => {
    const res = await send(app, 'GET', '/v1/session/methods', undefined, { authorization: '' });
    expect(res.json()).toEqual({ oidc: false, api_key: true });
  });

  it('a key alone has no session: GET /v1/session is 401, saying why a cookie may not arrive', async () => {
    const res = await send(app, 'GET', '/v1/session', undefined, as('admin'));
    expect(expectProblem(res, 401, 'UNAUTHORIZED').detail).toContain('only over https, or http to localhost');
  });

  it('session answers are never cached', async () => {
    const res = await send(
      app,
      'POST',
      '/v1/session',
      { api_key: TEST_KEYS.reader },
      { authorization: '', ...TEST_ORIGIN },
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const browser = await signIn(app, 'reader');
    expect((await send(app, 'GET', '/v1/session', undefined, browser)).headers['cache-control']).toBe('no-store');
  });

  it("a proxy's Basic authorization does not hide the session; an explicit default port is the same origin", async () => {
    const browser = await signIn(app, 'editor');
    const basic = { ...browser, authorization: 'Basic dXNlcjpwYXNz' };
    expect((await send(app, 'GET', '/v1/session', undefined, basic)).statusCode).toBe(200);
    const onPort80 = { ...browser, host: 'risk.test:80', origin: 'http://risk.test' };
    const res = await send(
      app,
      'POST',
      '/v1/admin/risk/thresholds',
      aCreateBody({ name: `port ${Math.random()}` }),
      onPort80,
    );
    expect(res.statusCode).toBe(201);
    const upper = { ...browser, host: 'RISK.test' };
    expect(
      (await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ name: `case ${Math.random()}` }), upper))
        .statusCode,
    ).toBe(201);
  });

  it('signing in again gives a new id and ends the session the browser held (no fixation)', async () => {
    const first = await signIn(app, 'editor');
    const again = await send(app, 'POST', '/v1/session', { api_key: TEST_KEYS.editor }, { ...first });
    expect(again.statusCode).toBe(201);
    const second = String(again.headers['set-cookie']).split(';')[0];
    expect(second).not.toBe(first.cookie);
    expect((await send(app, 'GET', '/v1/session', undefined, first)).statusCode).toBe(401);
    expect((await send(app, 'GET', '/v1/session', undefined, { ...first, cookie: second })).statusCode).toBe(200);
  });

  it('ends after 30 minutes idle; use moves the idle end', async () => {
    const browser = await signIn(app, 'reader');
    const read = async (): Promise<number> =>
      (await send(app, 'GET', '/v1/risk/categories', undefined, browser)).statusCode;
    clock.advance(29 * MINUTE);
    expect(await read()).toBe(200);
    clock.advance(29 * MINUTE);
    expect(await read()).toBe(200);
    const view = await send(app, 'GET', '/v1/session', undefined, browser);
    expect(view.json().expires_at).toBe(new Date(clock.at + 30 * MINUTE).toISOString());
    clock.advance(30 * MINUTE + 1);
    expect(await read()).toBe(401);
  });

  it('ends 12 hours after sign-in however busy', async () => {
    const browser = await signIn(app, 'reader');
    const read = async (): Promise<number> =>
      (await send(app, 'GET', '/v1/risk/categories', undefined, browser)).statusCode;
    for (let elapsed = 0; elapsed + 25 * MINUTE < 12 * 60 * MINUTE; elapsed += 25 * MINUTE) {
      clock.advance(25 * MINUTE);
      expect(await read()).toBe(200);
    }
    const view = await send(app, 'GET', '/v1/session', undefined, browser);
    expect(Date.parse(view.json().expires_at)).toBeLessThanOrEqual(clock.at + 25 * MINUTE);
    clock.advance(25 * MINUTE);
    expect(await read()).toBe(401);
  });

  it('never logs a key, a cookie or a CSRF token', async () => {
    const browser = await signIn(app, 'admin');
    await send(app, 'GET', '/v1/session', undefined, browser);
    await send(app, 'DELETE', '/v1/session', undefined, browser);
    const text = logs.join('');
    expect(text).toContain('test-admin signed in with an API key');
    for (const key of Object.values(TEST_KEYS)) expect(text).not.toContain(key);
    expect(text).not.toContain(browser.cookie.split('=')[1]);
    expect(text).not.toContain(browser['x-csrf-token']);
  });
});

describe('sign-in attempts are rate limited per IP', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_SIGN_IN: '3' } });
  });
  afterAll(async () => {
    await app.close();
  });

  it('the fourth attempt in the window is 429, even with a valid key; other clients are not affected', async () => {
    const attempt = (key: string, ip: string): ReturnType<typeof app.inject> =>
      app.inject({
        method: 'POST',
        url: '/v1/session',
        remoteAddress: ip,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ api_key: key }),
      });
    expect((await attempt('rts_guess_1', '192.0.2.1')).statusCode).toBe(401);
    expect((await attempt('rts_guess_2', '192.0.2.1')).statusCode).toBe(401);
    expect((await attempt(TEST_KEYS.reader, '192.0.2.1')).statusCode).toBe(201);
    const limited = await attempt(TEST_KEYS.reader, '192.0.2.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await attempt(TEST_KEYS.reader, '192.0.2.2')).statusCode).toBe(201);
    // The provider's callback completes a sign-in counted at its start: it counts as a read.
    for (let i = 0; i < 5; i++) {
      const callback = await app.inject({
        method: 'GET',
        url: '/v1/session/oidc/callback?code=x&state=y',
        remoteAddress: '192.0.2.1',
      });
      expect(callback.statusCode).toBe(404);
    }
  });
});
