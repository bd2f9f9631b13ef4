import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ROLES, type Role } from '@app/modules/auth/api-keys';
import { as, createTestApp, expectProblem, routesOf, send, signIn, TEST_KEYS } from '@test/support/app';

const SEED_ID = '00000000-0000-4000-8000-000000000007';

/** What every served route requires. A route missing here, or declaring no access rule, fails. */
function expectedAccess(method: string, url: string): Role | 'public' | 'session' {
  if (url === '/metrics' || url.startsWith('/health') || url.startsWith('/docs')) return 'public';
  if ((url === '/v1/session' && method === 'POST') || url.startsWith('/v1/session/oidc/')) return 'public';
  if (url === '/v1/session/methods' || url === '/console' || url.startsWith('/console/')) return 'public';
  if (url === '/v1/session') return 'session';
  if (url.startsWith('/v1/risk/')) return 'reader';
  if (url.startsWith('/v1/admin/risk/thresholds') || url === '/v1/admin/risk/classify') return 'editor';
  if (url.startsWith('/v1/admin/risk/change-requests')) return 'editor';
  if (url === '/v1/admin/risk/score-distribution' || url === '/v1/admin/risk/impact') return 'editor';
  if (url.startsWith('/v1/admin/risk/threshold-')) return 'admin';
  throw new Error(`no expected access rule for ${method} ${url}: add one to this test`);
}

describe('API keys and roles (deny by default)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('every route: 401 without a key and with a wrong key or session, 403 below its role, allowed with its role, by key and by session', async () => {
    const routes = routesOf(app);
    expect(routes.length).toBeGreaterThan(20);
    for (const { method, url } of routes) {
      const path = url.replace(':id', SEED_ID).replace(':file', 'init.js');
      const access = expectedAccess(method, url);
      const call = (headers: Record<string, string>): ReturnType<typeof send> =>
        send(app, method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, headers);
      const label = `${method} ${url}`;
      if (access === 'public') {
        const res = await call({ authorization: '' });
        expect([401, 403]).not.toContain(res.statusCode);
        continue;
      }
      if (access === 'session') {
        // A person's session, of any role; never a key alone.
        for (const role of ROLES) {
          const byKey = await call(as(role));
          expect({ label, role, byKey: byKey.statusCode }).toEqual({ label, role, byKey: 401 });
          const bySession = await call(await signIn(app, role));
          expect({ label, role, denied: [401, 403].includes(bySession.statusCode) }).toEqual({
            label,
            role,
            denied: false,
          });
        }
        expect((await call({ authorization: '' })).statusCode).toBe(401);
        continue;
      }
      const anonymous = await call({ authorization: '' });
      expect({ label, status: anonymous.statusCode }).toEqual({ label, status: 401 });
      expect(anonymous.headers['www-authenticate']).toContain('Bearer');
      const wrong = await call({ authorization: 'Bearer rts_not_a_configured_key' });
      expect({ label, status: wrong.statusCode }).toEqual({ label, status: 401 });
      const wrongHeader = await call({ 'x-api-key': 'rts_not_a_configured_key' });
      expect({ label, status: wrongHeader.statusCode }).toEqual({ label, status: 401 });
      const ended = await call({
        authorization: '',
        cookie: '__Host-rts-session=ended0000000000000000000000000000000000000',
      });
      expect({ label, ended: ended.statusCode }).toEqual({ label, ended: 401 });
      for (const role of ROLES) {
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(access);
        // The same rule by key and by a session opened with that key.
        for (const [by, headers] of [
          ['key', as(role)],
          ['session', await signIn(app, role)],
        ] as const) {
          const res = await call(headers);
          if (allowed)
            expect({ label, role, by, denied: [401, 403].includes(res.statusCode) }).toEqual({
              label,
              role,
              by,
              denied: false,
            });
          else expect({ label, role, by, status: res.statusCode }).toEqual({ label, role, by, status: 403 });
        }
      }
    }
  });

  it('accepts the key as X-API-Key too, and records the principal as the author', async () => {
    const res = await send(
      app,
      'POST',
      '/v1/admin/risk/thresholds',
      { name: 'by editor', category: 'other', risk_levels: { low: 1, medium: 2, high: 3, critical: 4 } },
      { 'x-api-key': 'rts_test_editor_key_0000000000000000000000000' },
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ created_by: 'test-editor', last_modified_by: 'test-editor' });
    const history = (await send(app, 'GET', `/v1/admin/risk/thresholds/${res.json().id}/history`)).json();
    expect(history.history[0].actor).toBe('test-editor');
  });

  it('which key counts when a request carries more than one header', async () => {
    const reader = TEST_KEYS.reader;
    const admin = TEST_KEYS.admin;
    const categories = (headers: Record<string, string>): ReturnType<typeof send> =>
      send(app, 'GET', '/v1/risk/categories', undefined, headers);
    // An Authorization of another scheme (Basic, for a proxy) does not hide X-API-Key.
    expect((await categories({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': reader })).statusCode).toBe(200);
    // The same key in both headers is one key.
    expect((await categories({ authorization: `Bearer ${reader}`, 'x-api-key': reader })).statusCode).toBe(200);
    // Two different keys: refused, saying so, rather than one silently preferred.
    const two = expectProblem(
      await categories({ authorization: `Bearer ${reader}`, 'x-api-key': admin }),
      401,
      'UNAUTHORIZED',
    );
    expect(two.detail).toContain('Two different API keys');
    // "Bearer Bearer <key>" (the scheme pasted with the key): the detail says what the header must be.
    const doubled = expectProblem(await categories({ authorization: `Bearer Bearer ${reader}` }), 401, 'UNAUTHORIZED');
    expect(doubled.detail).toContain("'Bearer <key>'");
  });
});
