import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { classificationBatchResponse, classificationResponse } from '@app/modules/thresholds/http/threshold.schemas';
import { createTestApp, expectProblem, send } from '@test/support/app';

describe('classification API (SPEC §3.1)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('POST /v1/risk/classify answers the level and the threshold used', async () => {
    const res = await send(app, 'POST', '/v1/risk/classify', {
      score: 55,
      category: 'financial',
      industry_code: '5221',
    });
    expect(res.statusCode).toBe(200);
    expect(classificationResponse.parse(res.json())).toEqual({
      score: 55,
      level: 'medium',
      category: 'financial',
      threshold_id: '00000000-0000-4000-8000-000000000006',
      threshold_version: 1,
      source: 'match',
      risk_levels: { low: 30, medium: 55, high: 80, critical: 90 },
    });
  });

  it.each([
    [0, 'minimal'],
    [25, 'low'],
    [90, 'critical'],
    [100, 'critical'],
  ])('classifies %p as %p under the financial default', async (score, level) => {
    const res = await send(app, 'POST', '/v1/risk/classify', { score, category: 'financial' });
    expect(res.json()).toMatchObject({ level, source: 'default' });
  });

  it.each([[-0.1], [100.1], ['50'], [null], [true]])('answers 400 on /score for score %p', async (score) => {
    const body = expectProblem(
      await send(app, 'POST', '/v1/risk/classify', { score, category: 'financial' }),
      400,
      'VALIDATION_ERROR',
    );
    expect(body.errors?.map((e) => e.field)).toEqual(['/score']);
  });

  it('lists every invalid field at once, unknown fields included', async () => {
    const body = expectProblem(
      await send(app, 'POST', '/v1/risk/classify', { category: 'x', industry_code: '', extra: 1 }),
      400,
      'VALIDATION_ERROR',
    );
    expect(body.errors?.map((e) => e.field).sort()).toEqual(['/category', '/extra', '/industry_code', '/score']);
  });

  it('POST /v1/risk/classify/batch answers in input order', async () => {
    const items = [
      { score: 95, category: 'regulatory', industry_code: '6211' },
      { score: 10, category: 'cybersecurity', industry_code: '54' },
      { score: 50, category: 'other' },
    ];
    const res = await send(app, 'POST', '/v1/risk/classify/batch', { items });
    expect(res.statusCode).toBe(200);
    const body = classificationBatchResponse.parse(res.json());
    expect(body.results.map((r) => [r.category, r.level, r.source, r.threshold_version])).toEqual([
      ['regulatory', 'critical', 'match', 1],
      ['cybersecurity', 'low', 'match', 1],
      ['other', 'medium', 'builtin', null],
    ]);
  });

  it('names the version whose bands decided: a change of bands is a new version in the answer', async () => {
    const id = '00000000-0000-4000-8000-000000000006';
    const before = (
      await send(app, 'POST', '/v1/risk/classify', { score: 56, category: 'financial', industry_code: '5221' })
    ).json();
    const patched = await send(app, 'PATCH', `/v1/admin/risk/thresholds/${id}`, {
      risk_levels: { low: 30, medium: 57, high: 80, critical: 90 },
    });
    expect(patched.statusCode).toBe(200);
    const version = patched.json().version as number;
    const after = (
      await send(app, 'POST', '/v1/risk/classify', { score: 56, category: 'financial', industry_code: '5221' })
    ).json();
    expect([before.threshold_version, before.level]).toEqual([version - 1, 'medium']);
    expect([after.threshold_version, after.level]).toEqual([version, 'low']);
    await send(app, 'PATCH', `/v1/admin/risk/thresholds/${id}`, {
      risk_levels: { low: 30, medium: 55, high: 80, critical: 90 },
    });
  });

  it('names the bad item of a batch and rejects the batch', async () => {
    const items = Array.from({ length: 5 }, () => ({ score: 50, category: 'financial' }));
    items[3] = { score: 101, category: 'financial' };
    const body = expectProblem(await send(app, 'POST', '/v1/risk/classify/batch', { items }), 400, 'VALIDATION_ERROR');
    expect(body.errors).toEqual([expect.objectContaining({ field: '/items/3/score' })]);
  });

  it('accepts 1000 items and rejects 0 or 1001', async () => {
    const item = { score: 50, category: 'financial' };
    const ok = await send(app, 'POST', '/v1/risk/classify/batch', { items: Array(1000).fill(item) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().results).toHaveLength(1000);
    expectProblem(await send(app, 'POST', '/v1/risk/classify/batch', { items: [] }), 400, 'VALIDATION_ERROR');
    expectProblem(
      await send(app, 'POST', '/v1/risk/classify/batch', { items: Array(1001).fill(item) }),
      400,
      'VALIDATION_ERROR',
    );
  });
});
