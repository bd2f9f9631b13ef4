import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { as, createTestApp, logCapture, routesOf, send, signIn } from '@test/support/app';

const SEED_ID = '00000000-0000-4000-8000-000000000007';
/** Budgets of different sizes, so an answer's RateLimit-Limit names the budget it was counted on. */
const LIMITS = { read: 1001, classify: 1002, write: 1003, signIn: 1004 } as const;
type Budget = keyof typeof LIMITS | 'none';

/** The budget each route counts against (CONTRACT §6), written out independently of the service's rule. */
function expectedBudget(method: string, url: string): Budget {
  if (!url.startsWith('/v1/')) return 'none';
  if (url === '/v1/session/oidc/callback') return 'read';
  if ((url === '/v1/session' && method === 'POST') || url === '/v1/session/oidc/login') return 'signIn';
  if (url === '/v1/risk/classify' || url === '/v1/risk/classify/batch') return 'classify';
  return method === 'GET' ? 'read' : 'write';
}

/** The hot routes, whose successful answers are sampled by the default REQUEST_LOG_POLICY (1 in 100). */
const SAMPLED = new Set([
  'POST /v1/risk/classify',
  'POST /v1/risk/classify/batch',
  'GET /v1/risk/thresholds',
  'GET /v1/risk/thresholds/:id',
  'GET /v1/risk/thresholds/match',
]);
/** Probes and scrapes: logged only when they fail. */
const QUIET = new Set(['/health', '/health/live', '/health/ready', '/health/detailed', '/metrics']);

interface Line {
  request_id?: string;
  msg: string;
}

describe('the route table: every route, however registered, is authenticated, limited, measured and logged as declared', () => {
  let app: NestFastifyApplication;
  const { stream, lines } = logCapture<Line>();

  beforeAll(async () => {
    app = await createTestApp({
      logStream: stream,
      env: {
        LOG_LEVEL: 'info',
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_READS: String(LIMITS.read),
        RATE_LIMIT_CLASSIFY: String(LIMITS.classify),
        RATE_LIMIT_WRITES: String(LIMITS.write),
        RATE_LIMIT_SIGN_IN: String(LIMITS.signIn),
        // No answer is slow enough to be logged for its time here (that rule has its own test).
        REQUEST_LOG_SLOW_MS: '600000',
      },
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('hot routes and controllers alike: the declared budget, one metrics series per route template and status, a request line by the route’s log policy', async () => {
    const routes = routesOf(app);
    // The hot routes are registered on Fastify directly, the rest by Nest: both kinds are here.
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([...SAMPLED, 'GET /v1/risk/categories']),
    );
    const calls = new Map<string, number>();
    const count = (key: string): void => void calls.set(key, (calls.get(key) ?? 0) + 1);
    let n = 0;
    for (const route of routes) {
      const { method, url } = route;
      const label = `${method} ${url}`;
      const declared = route.declared();
      const access = declared.access;
      expect({ label, declaresAccess: access !== undefined }).toEqual({ label, declaresAccess: true });
      const budget = expectedBudget(method, url);
      expect({ label, budget: declared.budget }).toEqual({ label, budget });

      let credentials: Record<string, string> = { authorization: '' };
      if (access && 'role' in access) credentials = as('admin');
      if (access && 'session' in access) {
        credentials = await signIn(app, 'admin');
        count('POST /v1/session 201');
      }
      const requestId = `route-table-${++n}`;
      const path = url.replace(':id', SEED_ID).replace(':file', 'swagger-ui.css').replace(':version', '1');
      const res = await send(app, method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, {
        ...credentials,
        'x-request-id': requestId,
      });
      count(`${label} ${res.statusCode}`);
      // Authenticated: the caller got past the edge (the role and session rules have their own test).
      expect({ label, denied: [401, 403].includes(res.statusCode) }).toEqual({ label, denied: false });
      // Limited on its declared budget, or not at all.
      expect({ label, limit: res.headers['ratelimit-limit'] }).toEqual({
        label,
        limit: budget === 'none' ? undefined : String(LIMITS[budget]),
      });
      // Logged as its policy says: the line carries the caller's request id.
      const logged = lines().filter((l) => l.request_id === requestId).length;
      const expected = SAMPLED.has(label) || QUIET.has(url) ? (res.statusCode >= 400 ? 1 : 0) : 1;
      expect({ label, status: res.statusCode, logged }).toEqual({ label, status: res.statusCode, logged: expected });
    }
    // Measured: every answer under its route template (never the raw path) and status.
    const metrics = (await send(app, 'GET', '/metrics', undefined, { authorization: '' })).body;
    for (const [key, times] of calls) {
      const [method, url, status] = key.split(' ');
      const series = `http_requests_total{method="${method}",route="${url}",status="${status}"} ${times}`;
      expect({ key, measured: metrics.split('\n').includes(series) }).toEqual({ key, measured: true });
    }
    expect(metrics).not.toContain(SEED_ID);
  });
});
