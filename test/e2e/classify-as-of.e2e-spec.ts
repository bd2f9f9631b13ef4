import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pastClassificationResponse } from '@app/modules/thresholds/http/threshold.schemas';
import { as, createTestApp, expectProblem, send } from '@test/support/app';

const BANKS = '00000000-0000-4000-8000-000000000006';
const REQUEST = { score: 56, category: 'financial', industry_code: '5221' };

/** Resolves once the clock has moved past `instant` (history times are milliseconds). */
async function after(instant: Date): Promise<void> {
  while (Date.now() <= instant.getTime()) await new Promise((resolve) => setImmediate(resolve));
}

// CONTRACT §7.4: any past decision can be reproduced, from the thresholds as they stood then.
describe('POST /v1/admin/risk/classify with as_of', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers what the service answered at that instant, after the bands have changed', async () => {
    const answeredThen = (await send(app, 'POST', '/v1/risk/classify', REQUEST)).json();
    const then = new Date();
    await after(then);
    const patched = await send(app, 'PATCH', `/v1/admin/risk/thresholds/${BANKS}`, {
      risk_levels: { low: 30, medium: 57, high: 80, critical: 90 },
    });
    expect(patched.statusCode).toBe(200);
    const answeredNow = (await send(app, 'POST', '/v1/risk/classify', REQUEST)).json();
    expect([answeredThen.level, answeredNow.level]).toEqual(['medium', 'low']);

    const past = await send(app, 'POST', '/v1/admin/risk/classify', { ...REQUEST, as_of: then.toISOString() });
    expect(past.statusCode).toBe(200);
    expect(pastClassificationResponse.parse(past.json())).toEqual({ ...answeredThen, as_of: then.toISOString() });
    const present = await send(app, 'POST', '/v1/admin/risk/classify', { ...REQUEST, as_of: new Date().toISOString() });
    expect(present.json()).toMatchObject({ ...answeredNow });
  });

  it('a threshold deleted since still decides for instants when it existed', async () => {
    const created = (
      await send(app, 'POST', '/v1/admin/risk/thresholds', {
        name: 'Cyber, SaaS',
        category: 'cybersecurity',
        business_type: 'saas',
        risk_levels: { low: 5, medium: 10, high: 15, critical: 20 },
      })
    ).json();
    const request = { score: 12, category: 'cybersecurity', business_type: 'saas' };
    const answeredThen = (await send(app, 'POST', '/v1/risk/classify', request)).json();
    expect(answeredThen).toMatchObject({ threshold_id: created.id, level: 'medium' });
    const then = new Date();
    await after(then);
    expect((await send(app, 'DELETE', `/v1/admin/risk/thresholds/${created.id}`)).statusCode).toBe(204);
    const past = (await send(app, 'POST', '/v1/admin/risk/classify', { ...request, as_of: then.toISOString() })).json();
    expect(past).toEqual({ ...answeredThen, as_of: then.toISOString() });
  });

  it('refuses an instant in the future, a malformed or missing one; readers may not ask', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    for (const as_of of [future, 'yesterday', '2026-13-01T00:00:00Z', undefined]) {
      const body = expectProblem(
        await send(app, 'POST', '/v1/admin/risk/classify', { ...REQUEST, as_of }),
        400,
        'VALIDATION_ERROR',
      );
      expect({ as_of, fields: body.errors?.map((e) => e.field) }).toEqual({ as_of, fields: ['/as_of'] });
    }
    expectProblem(
      await send(app, 'POST', '/v1/admin/risk/classify', { ...REQUEST, as_of: new Date().toISOString() }, as('reader')),
      403,
      'FORBIDDEN',
    );
  });
});
