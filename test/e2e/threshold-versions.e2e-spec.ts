import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { thresholdVersionResponse } from '@app/modules/thresholds/http/threshold.schemas';
import { aCreateBody, wireFieldsOf } from '@test/support/builders';
import { as, createTestApp, expectProblem, send } from '@test/support/app';

const SEED = '00000000-0000-4000-8000-000000000006';
const versionUrl = (id: string, version: number | string): string =>
  `/v1/admin/risk/thresholds/${id}/versions/${version}`;

// CONTRACT §7.4: the complete state of a threshold at any version, deleted ones and seeds included.
describe('GET /v1/admin/risk/thresholds/{id}/versions/{version}', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('a seed, which has no trail, has its version 1', async () => {
    const stored = (await send(app, 'GET', `/v1/admin/risk/thresholds/${SEED}`)).json();
    const res = await send(app, 'GET', versionUrl(SEED, 1));
    expect(res.statusCode).toBe(200);
    const body = thresholdVersionResponse.parse(res.json());
    expect(body).toMatchObject({ threshold_id: SEED, version: 1, origin: 'seed', superseded_at: null, deleted: false });
    expect(body.threshold).toEqual(wireFieldsOf(stored));
  });

  it('every version of a threshold, through updates and after its delete, is what the write answered', async () => {
    const created = (await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ priority: 3 }))).json();
    const id = created.id as string;
    const second = (
      await send(app, 'PATCH', `/v1/admin/risk/thresholds/${id}`, {
        risk_levels: { low: 21, medium: 41, high: 61, critical: 81 },
        metadata: { owner: 'credit' },
      })
    ).json();
    const third = (
      await send(app, 'PATCH', `/v1/admin/risk/thresholds/${id}`, { description: 'tightened', metadata: null })
    ).json();
    expect((await send(app, 'DELETE', `/v1/admin/risk/thresholds/${id}`)).statusCode).toBe(204);

    const versions = await Promise.all([1, 2, 3].map(async (v) => (await send(app, 'GET', versionUrl(id, v))).json()));
    expect(versions.map((v) => v.threshold)).toEqual([created, second, third].map(wireFieldsOf));
    expect(versions.map((v) => [v.origin, v.written_by, v.deleted])).toEqual([
      ['create', 'test-admin', false],
      ['update', 'test-admin', false],
      ['update', 'test-admin', true],
    ]);
    expect(versions[0].superseded_at).toBe(versions[1].written_at);
    expect(versions[2].superseded_at).not.toBeNull();
    expectProblem(await send(app, 'GET', versionUrl(id, 4)), 404, 'NOT_FOUND');
  });

  it('an unknown threshold or version is 404; a malformed version is 400; readers may not look', async () => {
    expectProblem(await send(app, 'GET', versionUrl('6f1f4f7e-0000-4000-8000-000000000000', 1)), 404, 'NOT_FOUND');
    expectProblem(await send(app, 'GET', versionUrl(SEED, 2)), 404, 'NOT_FOUND');
    for (const bad of ['0', '-1', '1.5', 'abc', '01', '2147483648', '99999999999']) {
      const body = expectProblem(await send(app, 'GET', versionUrl(SEED, bad)), 400, 'VALIDATION_ERROR');
      expect(body.errors?.map((e) => e.field)).toEqual(['/version']);
    }
    expectProblem(await send(app, 'GET', versionUrl(SEED, 1), undefined, as('reader')), 403, 'FORBIDDEN');
  });
});
