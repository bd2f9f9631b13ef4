import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { ScoreFlusher } from '@app/modules/observations/capture/score-flusher.service';
import { dayNumber, dayString } from '@app/modules/observations/domain/observation';
import { as, createTestApp, expectProblem, send } from '@test/support/app';

const BANKS = '00000000-0000-4000-8000-000000000006';
const DISTRIBUTION = '/v1/admin/risk/score-distribution';
const TODAY = dayString(dayNumber(Date.now()));

/** Classifies each score for the banks threshold (financial, 5221): half singly, half in one batch. */
async function classifyAll(app: NestFastifyApplication, scores: number[], extra: object = {}): Promise<void> {
  const half = Math.ceil(scores.length / 2);
  for (const score of scores.slice(0, half)) {
    const res = await send(app, 'POST', '/v1/risk/classify', {
      score,
      category: 'financial',
      industry_code: '5221',
      ...extra,
    });
    expect(res.statusCode).toBe(200);
  }
  const items = scores.slice(half).map((score) => ({ score, category: 'financial', industry_code: '5221', ...extra }));
  if (items.length > 0) expect((await send(app, 'POST', '/v1/risk/classify/batch', { items })).statusCode).toBe(200);
}

// CONTRACT §8: what is counted, the distribution, and the impact of a change, over HTTP.
describe('score observations: distribution and impact', () => {
  let app: NestFastifyApplication;
  const flush = (): Promise<void> => app.get(ScoreFlusher).flush();
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('counts every classification (single and batch) by score to 2 decimals, and answers the distribution', async () => {
    // The banks threshold (seed, financial 52): low 30, medium 55, high 80, critical 90.
    await classifyAll(app, [12.344, 12.345, 45, 59.99, 60, 60, 85.5, 95]);
    await flush();
    const res = await send(app, 'GET', `${DISTRIBUTION}?category=financial&industry_code=5221&bin_width=0.01`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      from: dayString(dayNumber(Date.now()) - 29),
      to: TODAY,
      total: 8,
      bin_width: 0.01,
      bins: [
        { lower: 12.34, count: 1 },
        { lower: 12.35, count: 1 },
        { lower: 45, count: 1 },
        { lower: 59.99, count: 1 },
        { lower: 60, count: 2 },
        { lower: 85.5, count: 1 },
        { lower: 95, count: 1 },
      ],
      levels: { minimal: 2, low: 1, medium: 3, high: 1, critical: 1 },
    });
    const wide = (await send(app, 'GET', `${DISTRIBUTION}?category=financial&bin_width=25`)).json();
    expect(wide.bins).toEqual([
      { lower: 0, count: 2 },
      { lower: 25, count: 1 },
      { lower: 50, count: 3 },
      { lower: 75, count: 2 },
    ]);
    // Another category, and a past decision, count nothing here.
    await send(app, 'POST', '/v1/admin/risk/classify', {
      score: 50,
      category: 'financial',
      industry_code: '5221',
      as_of: new Date().toISOString(),
    });
    await flush();
    expect((await send(app, 'GET', `${DISTRIBUTION}?category=financial&industry_code=5221`)).json().total).toBe(8);
    expect((await send(app, 'GET', `${DISTRIBUTION}?category=regulatory`)).json().total).toBe(0);
  });

  it('the impact of a band move: exactly the observed cases that change level', async () => {
    // Medium from 55 down to 45 (45 becomes medium), high from 80 up to 85.6 (85.5 becomes medium).
    const res = await send(app, 'POST', '/v1/admin/risk/impact', {
      items: [
        {
          op: 'update',
          threshold_id: BANKS,
          base_version: 1,
          threshold: { risk_levels: { low: 30, medium: 45, high: 85.6, critical: 90 } },
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ observations: 8, changed: 2, changed_share: 0.25 });
    expect(body.transitions).toEqual([
      { category: 'financial', from_level: 'low', to_level: 'medium', count: 1 },
      { category: 'financial', from_level: 'high', to_level: 'medium', count: 1 },
    ]);
    expect(body.by_threshold).toEqual([
      {
        threshold_id: BANKS,
        before: { minimal: 2, low: 1, medium: 3, high: 1, critical: 1 },
        after: { minimal: 2, low: 0, medium: 5, high: 0, critical: 1 },
      },
    ]);
    expect(body.near_cutoffs).toContainEqual({
      threshold_id: BANKS,
      level: 'high',
      cutoff: 85.6,
      within_1_below: 1,
      within_1_above: 0,
    });
  });

  it('a new, more specific threshold takes cases from the one in force', async () => {
    const res = await send(app, 'POST', '/v1/admin/risk/impact', {
      items: [
        {
          op: 'create',
          threshold: {
            name: 'Savings banks',
            category: 'financial',
            industry_code: '52211',
            risk_levels: { low: 10, medium: 20, high: 30, critical: 40 },
          },
        },
      ],
    });
    // No observation has 52211: nothing moves, and the new threshold is listed with zero counts.
    expect(res.json()).toMatchObject({ observations: 8, changed: 0, transitions: [] });
    expect(res.json().by_threshold).toHaveLength(1);
  });

  it('refuses a bad window, bin width or item with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-02-30', '/from'],
      ['from=2026-13-01', '/from'],
      ['from=0000-01-01', '/from'],
      ['to=1969-12-31', '/to'],
      ['to=yesterday', '/to'],
      ['from=2026-11-30&to=2026-11-01', '/from'],
      ['from=2024-01-01&to=2026-01-01', '/from'],
      ['bin_width=0', '/bin_width'],
      ['bin_width=25.01', '/bin_width'],
      ['bin_width=0.001', '/bin_width'],
    ] as const) {
      const body = expectProblem(await send(app, 'GET', `${DISTRIBUTION}?${query}`), 400, 'VALIDATION_ERROR');
      expect({ query, fields: body.errors?.map((e) => e.field) }).toEqual({ query, fields: [field] });
    }
    // The default window never starts before the first day.
    expect((await send(app, 'GET', `${DISTRIBUTION}?to=1970-01-05`)).json()).toMatchObject({
      from: '1970-01-01',
      to: '1970-01-05',
    });
    // A threshold that does not exist (any more): its base moved, as apply would say.
    expectProblem(
      await send(app, 'POST', '/v1/admin/risk/impact', {
        items: [{ op: 'delete', threshold_id: '4b9f0c7e-0000-4000-8000-000000000000', base_version: 1 }],
      }),
      409,
      'CONFLICT',
    );
    expectProblem(await send(app, 'POST', '/v1/admin/risk/impact', { items: [] }), 400, 'VALIDATION_ERROR');
    // A typo in a filter is refused, not ignored (the totals would be unfiltered).
    expectProblem(await send(app, 'GET', `${DISTRIBUTION}?industry=5221`), 400, 'VALIDATION_ERROR');
    // Weighed on a base that moved, an update would show reverting what moved: refused as apply refuses it.
    const moved = expectProblem(
      await send(app, 'POST', '/v1/admin/risk/impact', {
        items: [{ op: 'update', threshold_id: BANKS, base_version: 99, threshold: { priority: 1 } }],
      }),
      409,
      'CONFLICT',
    );
    expect(moved.detail).toContain('Nothing was weighed');
  });

  it('fast-check: random queries and bodies never produce a 5xx', async () => {
    const value = fc.oneof(fc.string(), fc.constantFrom('2026-11-30', '0.5', '25', '', 'financial', '52'));
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('category', 'industry_code', 'business_type', 'from', 'to', 'bin_width'), value),
        fc.record(
          {
            items: fc.oneof(
              fc.jsonValue({ maxDepth: 2 }),
              fc.array(
                fc.record({
                  op: fc.constantFrom('create', 'update', 'delete', 'x'),
                  threshold_id: fc.oneof(fc.uuid(), fc.constant(BANKS)),
                  base_version: fc.oneof(fc.integer(), fc.jsonValue()),
                  threshold: fc.jsonValue({ maxDepth: 2 }),
                }),
                { maxLength: 3 },
              ),
            ),
            from: value,
            to: value,
          },
          { requiredKeys: [] },
        ),
        async (query, body) => {
          const distribution = await send(app, 'GET', `${DISTRIBUTION}?${new URLSearchParams(query).toString()}`);
          expect(distribution.statusCode).toBeLessThan(500);
          expect((await send(app, 'POST', '/v1/admin/risk/impact', body)).statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('SCORE_CAPTURE=false', () => {
  it('counts nothing', async () => {
    const app = await createTestApp({ env: { SCORE_CAPTURE: 'false' } });
    try {
      await classifyAll(app, [10, 20, 30]);
      await app.get(ScoreFlusher).flush();
      expect((await send(app, 'GET', DISTRIBUTION)).json().total).toBe(0);
    } finally {
      await app.close();
    }
  });
});

// CONTRACT §8.3 with §7: the impact a revision goes to review with, frozen on it; recomputed on demand.
describe('the impact of a change request', () => {
  const CR = '/v1/admin/risk/change-requests';
  it('is frozen when a revision goes to review, again after an edit, and recomputed by GET {id}/impact', async () => {
    const app = await createTestApp({ env: { CHANGE_APPROVALS: '1' } });
    try {
      // Banks (financial 52): low 30, medium 55, high 80, critical 90.
      await classifyAll(app, [40, 50, 54, 70]);
      await app.get(ScoreFlusher).flush();
      const bands = (medium: number): object => ({
        op: 'update',
        threshold_id: BANKS,
        base_version: 1,
        threshold: { risk_levels: { low: 30, medium, high: 80, critical: 90 } },
      });
      const created = await send(
        app,
        'POST',
        CR,
        { title: 'Medium down', reason: 'Q4 loss rates rose.', items: [bands(50)] },
        as('editor'),
      );
      expect(created.json().impact).toBeNull();
      const id = created.json().id as string;
      const submitted = (await send(app, 'POST', `${CR}/${id}/submit`, undefined, as('editor'))).json();
      expect(submitted.impact).toMatchObject({ revision: 1, observations: 4, changed: 2, to: TODAY });
      expect(submitted.impact.transitions).toEqual([
        { category: 'financial', from_level: 'low', to_level: 'medium', count: 2 },
      ]);
      // An edit in review: a new revision, weighed again.
      const edited = (await send(app, 'PATCH', `${CR}/${id}`, { items: [bands(40)] }, as('editor'))).json();
      expect(edited.impact).toMatchObject({ revision: 2, observations: 4, changed: 3 });
      // More cases since: the frozen report stays; GET {id}/impact weighs them now.
      await classifyAll(app, [47]);
      await app.get(ScoreFlusher).flush();
      expect((await send(app, 'GET', `${CR}/${id}`)).json().impact.observations).toBe(4);
      const now = await send(app, 'GET', `${CR}/${id}/impact`, undefined, as('editor'));
      expect(now.statusCode).toBe(200);
      expect(now.json()).toMatchObject({ observations: 5, changed: 4 });
      expectProblem(await send(app, 'GET', `${CR}/${id}/impact?from=2026-13-01`), 400, 'VALIDATION_ERROR');
      // Applied: the question is closed; its report stays on the request.
      await send(app, 'POST', `${CR}/${id}/reviews`, { decision: 'approve' }, as('admin'));
      expect((await send(app, 'POST', `${CR}/${id}/apply`, undefined, as('editor'))).json().state).toBe('applied');
      expectProblem(await send(app, 'GET', `${CR}/${id}/impact`), 409, 'CONFLICT');
      expect((await send(app, 'GET', `${CR}/${id}`)).json().impact).toMatchObject({ revision: 2, changed: 3 });
    } finally {
      await app.close();
    }
  });
});
