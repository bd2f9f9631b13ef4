import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  categoriesResponse,
  factorsResponse,
  matchResponse,
  thresholdListResponse,
  thresholdResponse,
} from '@app/modules/thresholds/http/threshold.schemas';
import fastJson from 'fast-json-stringify';
import { okResponse } from '@app/modules/http/response-schema';
import { createTestApp, expectProblem, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';

const FINANCIAL_DEFAULT = '00000000-0000-4000-8000-000000000001';
const FINANCIAL_52 = '00000000-0000-4000-8000-000000000006';

describe('read API (SPEC §3.1)', () => {
  let app: NestFastifyApplication;
  beforeEach(async () => {
    app = await createTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  describe('GET /v1/risk/thresholds', () => {
    it('lists the 9 seed thresholds, ordered by priority desc, created_at desc, id', async () => {
      const res = await send(app, 'GET', '/v1/risk/thresholds');
      expect(res.statusCode).toBe(200);
      const body = thresholdListResponse.parse(res.json());
      expect(body.count).toBe(9);
      expect(body.next_cursor).toBeNull();
      expect(body.thresholds[0]).toMatchObject({ category: 'regulatory', industry_code: '62', priority: 10 });
      const rest = body.thresholds.slice(1).map((t) => t.id);
      expect(rest).toEqual([...rest].sort());
    });

    it('hides inactive thresholds and applies exact-match filters', async () => {
      await send(
        app,
        'POST',
        '/v1/admin/risk/thresholds',
        aCreateBody({ category: 'financial', industry_code: '5221', is_active: false }),
      );
      const all = (await send(app, 'GET', '/v1/risk/thresholds?category=financial')).json();
      expect(all.thresholds.map((t: { id: string }) => t.id).sort()).toEqual([FINANCIAL_DEFAULT, FINANCIAL_52]);
      const byIndustry = (await send(app, 'GET', '/v1/risk/thresholds?industry_code=52')).json();
      expect(byIndustry.count).toBe(2);
      const none = (await send(app, 'GET', '/v1/risk/thresholds?industry_code=5')).json();
      expect(none).toEqual({ thresholds: [], count: 0, next_cursor: null });
    });

    it('pages with an opaque cursor, without gaps or repeats', async () => {
      const seen: string[] = [];
      let url = '/v1/risk/thresholds?limit=4';
      for (let i = 0; i < 5; i++) {
        const body = (await send(app, 'GET', url)).json();
        seen.push(...body.thresholds.map((t: { id: string }) => t.id));
        expect(body.count).toBe(body.thresholds.length);
        if (body.next_cursor === null) break;
        url = `/v1/risk/thresholds?limit=4&cursor=${encodeURIComponent(body.next_cursor)}`;
      }
      expect(seen).toHaveLength(9);
      expect(new Set(seen).size).toBe(9);
    });

    it.each([
      ['limit=0'],
      ['limit=501'],
      ['limit=abc'],
      ['limit=1.5'],
      ['category=unknown'],
      ['industry_code=5-2'],
      ['cursor=not-a-cursor'],
    ])('answers 400 for %s', async (query) => {
      const body = expectProblem(await send(app, 'GET', `/v1/risk/thresholds?${query}`), 400, 'VALIDATION_ERROR');
      expect(body.errors?.[0].field).toBe(`/${query.split('=')[0]}`);
    });
  });

  describe('served from each threshold’s JSON, written once per version', () => {
    const serializer = (schema: Parameters<typeof okResponse>[0]): ((value: unknown) => string) =>
      fastJson((okResponse(schema).response as Record<number, object>)[200]);

    it('a page and a threshold are the bytes the documented schemas serialize to, and a change is served at once (pages too)', async () => {
      const list = serializer(thresholdListResponse);
      const one = serializer(thresholdResponse);
      const page = await send(app, 'GET', '/v1/risk/thresholds?limit=3');
      expect(page.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(list(page.json())).toBe(page.body);
      const next = await send(app, 'GET', `/v1/risk/thresholds?limit=3&cursor=${page.json().next_cursor}`);
      expect(list(next.json())).toBe(next.body);
      const before = await send(app, 'GET', `/v1/risk/thresholds/${FINANCIAL_52}`);
      expect(one(before.json())).toBe(before.body);
      // The same page asked twice is the same bytes; asked again after a change, it shows the change.
      const all = (await send(app, 'GET', '/v1/risk/thresholds?limit=500')).body;
      expect((await send(app, 'GET', '/v1/risk/thresholds?limit=500')).body).toBe(all);
      const patched = await send(
        app,
        'PATCH',
        `/v1/admin/risk/thresholds/${FINANCIAL_52}`,
        { priority: 7 },
        {
          'if-match': String(before.headers.etag),
        },
      );
      expect(patched.statusCode).toBe(200);
      const after = await send(app, 'GET', `/v1/risk/thresholds/${FINANCIAL_52}`);
      expect(after.json()).toMatchObject({ priority: 7, version: before.json().version + 1 });
      expect(after.headers.etag).toBe(`"${before.json().version + 1}"`);
      const listed = (await send(app, 'GET', '/v1/risk/thresholds?limit=500')).json().thresholds;
      expect(listed.find((t: { id: string }) => t.id === FINANCIAL_52)).toEqual(after.json());
    });
  });

  describe('GET /v1/risk/thresholds/{id}', () => {
    it('answers the threshold with its ETag', async () => {
      const res = await send(app, 'GET', `/v1/risk/thresholds/${FINANCIAL_DEFAULT}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe('"1"');
      expect(thresholdResponse.parse(res.json())).toMatchObject({
        id: FINANCIAL_DEFAULT,
        risk_levels: { low: 25, medium: 50, high: 75, critical: 90 },
      });
    });

    it('answers 404 for an unknown or inactive id and 400 for a malformed one', async () => {
      expectProblem(
        await send(app, 'GET', '/v1/risk/thresholds/6f1c2a3e-1111-4a4a-8b8b-123456789abc'),
        404,
        'NOT_FOUND',
      );
      const created = (await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ is_active: false }))).json();
      expectProblem(await send(app, 'GET', `/v1/risk/thresholds/${created.id}`), 404, 'NOT_FOUND');
      const bad = expectProblem(await send(app, 'GET', '/v1/risk/thresholds/123'), 400, 'VALIDATION_ERROR');
      expect(bad.errors).toEqual([{ field: '/id', message: 'must be a UUID', code: 'invalid_format' }]);
    });

    it('answers an empty id as no route, as the admin API does, and measures it as unmatched', async () => {
      for (const path of ['/v1/risk/thresholds/', '/v1/admin/risk/thresholds/', '/v1/admin/risk/thresholds//history']) {
        const problem = expectProblem(await send(app, 'GET', path), 404, 'NOT_FOUND');
        expect(problem.detail).toBe(`No route matches GET ${path}.`);
      }
      const metrics = (await send(app, 'GET', '/metrics', undefined, { authorization: '' })).body;
      expect(metrics).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 3');
      expect(metrics).not.toMatch(/route="[^"]*:id[^"]*",status="(400|404)"/);
    });
  });

  describe('GET /v1/risk/thresholds/match', () => {
    it('picks the most specific threshold and says why', async () => {
      const res = await send(app, 'GET', '/v1/risk/thresholds/match?category=financial&industry_code=5221');
      expect(res.statusCode).toBe(200);
      const body = matchResponse.parse(res.json());
      expect(body).toMatchObject({ threshold_id: FINANCIAL_52, source: 'match', risk_levels: { low: 30 } });
      expect(body.threshold?.id).toBe(FINANCIAL_52);
      expect(body.reason).toMatch(/industry_code prefix '52'/);
    });

    it('falls back to the default, then to the built-in bands', async () => {
      const def = (await send(app, 'GET', '/v1/risk/thresholds/match?category=financial&industry_code=99')).json();
      expect(def).toMatchObject({ threshold_id: FINANCIAL_DEFAULT, source: 'default' });
      const builtin = (await send(app, 'GET', '/v1/risk/thresholds/match?category=strategic')).json();
      expect(builtin).toMatchObject({
        threshold_id: null,
        threshold: null,
        source: 'builtin',
        risk_levels: { low: 25, medium: 50, high: 75, critical: 90 },
      });
    });

    it('requires a valid category', async () => {
      const body = expectProblem(await send(app, 'GET', '/v1/risk/thresholds/match'), 400, 'VALIDATION_ERROR');
      expect(body.errors).toEqual([expect.objectContaining({ field: '/category', code: 'required' })]);
      expectProblem(await send(app, 'GET', '/v1/risk/thresholds/match?category=x'), 400, 'VALIDATION_ERROR');
    });
  });

  describe('reference data', () => {
    it('GET /v1/risk/categories lists the 8 categories', async () => {
      const body = categoriesResponse.parse((await send(app, 'GET', '/v1/risk/categories')).json());
      expect(body.categories.map((c) => c.name)).toEqual([
        'financial',
        'operational',
        'regulatory',
        'reputational',
        'cybersecurity',
        'compliance',
        'strategic',
        'other',
      ]);
    });

    it('GET /v1/risk/factors lists the catalogue, filtered by category', async () => {
      const all = factorsResponse.parse((await send(app, 'GET', '/v1/risk/factors')).json());
      expect(all.factors.map((f) => [f.name, f.weight])).toEqual([
        ['financial_stability', 0.3],
        ['operational_efficiency', 0.25],
        ['regulatory_compliance', 0.25],
        ['cybersecurity_posture', 0.2],
      ]);
      const cyber = (await send(app, 'GET', '/v1/risk/factors?category=cybersecurity')).json();
      expect(cyber.factors.map((f: { name: string }) => f.name)).toEqual(['cybersecurity_posture']);
      expectProblem(await send(app, 'GET', '/v1/risk/factors?category=nope'), 400, 'VALIDATION_ERROR');
    });
  });
});
