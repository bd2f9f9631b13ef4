import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp } from '@test/support/app';

const SEED_ID = '00000000-0000-4000-8000-000000000002';

/** Never a 5xx; every error is problem+json with a code and the request id. */
function expectWellFormed(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(typeof body.code).toBe('string');
    expect(body.request_id).toBe(res.headers['x-request-id']);
    expect(body.status).toBe(res.statusCode);
  }
}

// Bodies: arbitrary JSON, and objects shaped like the real requests with arbitrary values.
const anyValue = fc.jsonValue({ maxDepth: 3 });
const thresholdLike = fc.record(
  {
    id: fc.oneof(fc.uuid(), anyValue),
    name: fc.oneof(fc.string(), anyValue),
    category: fc.oneof(fc.constantFrom('financial', 'other', 'Financial', ''), anyValue),
    industry_code: fc.oneof(fc.string({ maxLength: 25 }), anyValue),
    business_type: fc.oneof(fc.string(), anyValue),
    risk_levels: fc.oneof(
      fc.record(
        { low: fc.double(), medium: fc.double(), high: fc.double(), critical: fc.double() },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    is_default: anyValue,
    is_active: anyValue,
    priority: fc.oneof(fc.integer(), fc.double(), anyValue),
    metadata: anyValue,
  },
  { requiredKeys: [] },
);
const classifyLike = fc.record(
  {
    score: fc.oneof(fc.double(), fc.integer(), anyValue),
    category: fc.oneof(fc.constantFrom('financial', 'regulatory', 'nope'), anyValue),
    industry_code: fc.oneof(fc.string({ maxLength: 25 }), anyValue),
    business_type: fc.oneof(fc.string(), anyValue),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  anyValue,
  thresholdLike,
  classifyLike,
  fc.record({ items: fc.oneof(fc.array(classifyLike, { maxLength: 5 }), anyValue) }),
  fc.record({ thresholds: fc.oneof(fc.array(thresholdLike, { maxLength: 5 }), anyValue) }),
  fc.array(thresholdLike, { maxLength: 5 }),
);
// Raw payloads, including malformed JSON.
const raw = fc.oneof(
  fc.string(),
  fc.json(),
  fc.string().map((s) => `{"score":${s}`),
);
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'category',
          'industry_code',
          'business_type',
          'limit',
          'cursor',
          'is_active',
          'mode',
          'dry_run',
          'from',
          'to',
          'bin_width',
        ),
        fc.string(),
      ),
      fc.oneof(
        fc.string(),
        fc.constantFrom(
          'financial',
          '52',
          '100',
          '0',
          'true',
          'replace',
          '-1',
          '1e3',
          '2026-11-30',
          '0.01',
          '2026-02-30',
        ),
      ),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

const WRITES: { method: 'POST' | 'PATCH' | 'PUT'; url: string }[] = [
  { method: 'POST', url: '/v1/risk/classify' },
  { method: 'POST', url: '/v1/risk/classify/batch' },
  { method: 'POST', url: '/v1/admin/risk/thresholds' },
  { method: 'PATCH', url: `/v1/admin/risk/thresholds/${SEED_ID}` },
  { method: 'PUT', url: `/v1/admin/risk/thresholds/${SEED_ID}` },
  { method: 'POST', url: '/v1/admin/risk/threshold-import?dry_run=true' },
  { method: 'POST', url: '/v1/admin/risk/impact' },
];
const READS = [
  '/v1/risk/thresholds',
  '/v1/risk/thresholds/match',
  '/v1/admin/risk/thresholds',
  '/v1/risk/factors',
  '/v1/admin/risk/threshold-import',
  '/v1/admin/risk/score-distribution',
];

describe('fuzzing: random bodies and query strings never produce a 5xx', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(WRITES)('$method $url with random JSON bodies', async ({ method, url }) => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        expectWellFormed(
          await app.inject({
            method,
            url,
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify(payload),
          }),
        );
      }),
      { numRuns: 150 },
    );
  });

  it.each(WRITES)('$method $url with random raw payloads, content types and If-Match', async ({ method, url }) => {
    await fc.assert(
      fc.asyncProperty(
        raw,
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/json; charset=latin1',
          'application/x-www-form-urlencoded',
        ),
        fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        async (payload, type, ifMatch) => {
          const headers: Record<string, string> = { 'content-type': type };
          if (ifMatch !== undefined) headers['if-match'] = ifMatch.replace(/[^\x20-\x7e]/g, '');
          expectWellFormed(await app.inject({ method, url, headers, payload }));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('GET endpoints with random query strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...READS), query, async (path, qs) => {
        expectWellFormed(await app.inject({ method: 'GET', url: `${path}?${qs}` }));
      }),
      { numRuns: 300 },
    );
  });

  it('random path ids and query strings on the import and write endpoints', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        query,
        fc.constantFrom('GET', 'PATCH', 'PUT', 'DELETE' as const),
        async (id, qs, method) => {
          const url = `/v1/admin/risk/thresholds/${encodeURIComponent(id)}?${qs}`;
          const payload = method === 'GET' || method === 'DELETE' ? undefined : '{"name":"x"}';
          const headers = payload ? { 'content-type': 'application/json' } : {};
          expectWellFormed(await app.inject({ method, url, headers, payload }));
          expectWellFormed(
            await app.inject({
              method: 'POST',
              url: `/v1/admin/risk/threshold-import?${qs}`,
              headers: { 'content-type': 'application/json' },
              payload: '[]',
            }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
