import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { changeRequestResponse } from '@app/modules/changes/http/change-request.schemas';
import { as, createTestApp, expectProblem, send } from '@test/support/app';

const CR = '/v1/admin/risk/change-requests';
const BANKS = '00000000-0000-4000-8000-000000000006';
const BANK_REQUEST = { score: 56, category: 'financial', industry_code: '5221' };
const maker = as('editor'); // test-editor
const checker = as('admin'); // test-admin, an editor and more

const banksTo = (medium: number, baseVersion: number): Record<string, unknown> => ({
  op: 'update',
  threshold_id: BANKS,
  base_version: baseVersion,
  threshold: {
    name: 'Financial - banks (NAICS 5221)',
    category: 'financial',
    industry_code: '5221',
    risk_levels: { low: 30, medium, high: 80, critical: 90 },
    priority: 10,
  },
});

async function created(app: NestFastifyApplication, items: unknown[]): Promise<Record<string, unknown>> {
  const res = await send(
    app,
    'POST',
    CR,
    { title: 'Banks', reason: 'Loss rates moved; medium follows them.', items },
    maker,
  );
  expect(res.statusCode).toBe(201);
  return res.json();
}

const act = (
  app: NestFastifyApplication,
  id: unknown,
  action: string,
  body: unknown,
  who: Record<string, string>,
): Promise<LightMyRequestResponse> => send(app, 'POST', `${CR}/${String(id)}/${action}`, body, who);

// CONTRACT §7, with CHANGE_APPROVALS=1: a maker proposes, a checker approves, the change applies.
describe('change requests over HTTP (maker, checker, admin)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({ env: { CHANGE_APPROVALS: '1' } });
  });
  afterAll(async () => {
    await app.close();
  });

  it('maker -> checker -> apply: the bands change, the trail names the request and its approver', async () => {
    const seed = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    const draft = await created(app, [banksTo(57, seed.version)]);
    expect(changeRequestResponse.parse(draft)).toMatchObject({
      state: 'draft',
      revision: 1,
      created_by: 'test-editor',
    });

    // Not in review yet, then nobody may review their own.
    expectProblem(await act(app, draft.id, 'reviews', { decision: 'approve' }, checker), 409, 'CONFLICT');
    expect((await act(app, draft.id, 'submit', undefined, maker)).json().state).toBe('in_review');
    const self = expectProblem(await act(app, draft.id, 'reviews', { decision: 'approve' }, maker), 403, 'SELF_REVIEW');
    expect(self.detail).toContain('four eyes');
    const early = expectProblem(await act(app, draft.id, 'apply', {}, maker), 409, 'CONFLICT');
    expect(early.detail).toContain('0 of the 1 approvals');

    // The checker sees it waiting for them, and approves.
    const waiting = (await send(app, 'GET', `${CR}?awaiting_review_by=me`, undefined, checker)).json();
    expect(waiting.change_requests.map((c: { id: string }) => c.id)).toContain(draft.id);
    const approved = await act(app, draft.id, 'reviews', { decision: 'approve', comment: 'Checked.' }, checker);
    expect(approved.statusCode).toBe(201);
    expect(approved.json()).toMatchObject({ state: 'approved', approvals: { required: 1, received: ['test-admin'] } });

    const before = (await send(app, 'POST', '/v1/risk/classify', BANK_REQUEST)).json();
    const applied = await act(app, draft.id, 'apply', {}, maker);
    expect(applied.statusCode).toBe(200);
    expect(applied.json()).toMatchObject({ state: 'applied', applied_by: 'test-editor', emergency: false });
    const after = (await send(app, 'POST', '/v1/risk/classify', BANK_REQUEST)).json();
    expect([before.level, after.level]).toEqual(['medium', 'low']);
    expect(after.threshold_version).toBe(seed.version + 1);
    const trail = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}/history`)).json().history;
    expect(trail[0]).toMatchObject({ change_request_id: draft.id, approvers: ['test-admin'], actor: 'test-editor' });
    // Applied is final.
    expectProblem(await act(app, draft.id, 'cancel', undefined, maker), 409, 'CONFLICT');
  });

  it('a change between approval and apply: 409 naming the item, conflicted, nothing written', async () => {
    const stored = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    const cr = await created(app, [banksTo(52, stored.version - 1)]);
    await act(app, cr.id, 'submit', undefined, maker);
    await act(app, cr.id, 'reviews', { decision: 'approve' }, checker);
    const refused = expectProblem(await act(app, cr.id, 'apply', {}, maker), 409, 'CONFLICT');
    expect(refused.errors).toEqual([expect.objectContaining({ field: '/items/0/base_version', code: 'moved' })]);
    const now = (await send(app, 'GET', `${CR}/${String(cr.id)}`)).json();
    expect(now).toMatchObject({ state: 'conflicted', failure: expect.stringContaining('Nothing was applied') });
    expect((await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json().version).toBe(stored.version);

    // An edit that takes the new version rebases it; the approval is void; it goes round again.
    const rebased = await send(app, 'PATCH', `${CR}/${String(cr.id)}`, { items: [banksTo(52, stored.version)] }, maker);
    expect(rebased.json()).toMatchObject({ revision: 2, state: 'conflicted', approvals: { received: [] } });
    expect(rebased.headers.etag).toBe('"2"');
    expectProblem(
      await send(app, 'PATCH', `${CR}/${String(cr.id)}`, { title: 'stale' }, { ...maker, 'if-match': '"1"' }),
      412,
      'PRECONDITION_FAILED',
    );
    expect((await act(app, cr.id, 'cancel', undefined, maker)).json().state).toBe('cancelled');
  });

  it('a review, an apply, a schedule or a cancel with If-Match acts only on the revision the person read', async () => {
    const stored = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    const cr = await created(app, [banksTo(54, stored.version)]);
    const url = `${CR}/${String(cr.id)}`;
    await act(app, cr.id, 'submit', undefined, maker);
    // The checker's page shows revision 1; the maker edits it meanwhile (revision 2: other bands).
    const edited = await send(app, 'PATCH', url, { items: [banksTo(40, stored.version)] }, maker);
    expect(edited.json()).toMatchObject({ revision: 2, state: 'in_review' });
    const seen = { 'if-match': '"1"' };
    for (const [action, body] of [
      ['reviews', { decision: 'approve' }],
      ['submit', undefined],
      ['schedule', { at: new Date(Date.now() + 3_600_000).toISOString() }],
      ['cancel', undefined],
    ] as const) {
      const refused = expectProblem(
        await send(app, 'POST', `${url}/${action}`, body, { ...checker, ...seen }),
        412,
        'PRECONDITION_FAILED',
      );
      expect(refused.detail).toContain('is at revision 2');
    }
    expect((await send(app, 'GET', url)).json()).toMatchObject({ revision: 2, state: 'in_review', reviews: [] });
    // The revision read is the one approved; an apply of a revision since written is refused too.
    const approved = await send(
      app,
      'POST',
      `${url}/reviews`,
      { decision: 'approve' },
      { ...checker, 'if-match': '"2"' },
    );
    expect(approved.json()).toMatchObject({ state: 'approved', approvals: { received: ['test-admin'] } });
    expectProblem(await send(app, 'POST', `${url}/apply`, {}, { ...maker, ...seen }), 412, 'PRECONDITION_FAILED');
    expect((await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json().version).toBe(stored.version);
    const applied = await send(app, 'POST', `${url}/apply`, {}, { ...maker, 'if-match': '"2"' });
    expect(applied.json()).toMatchObject({ state: 'applied' });
  });

  it('emergency: an admin only, recorded, awaiting review afterwards', async () => {
    const stored = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    const cr = await created(app, [banksTo(55, stored.version)]);
    await act(app, cr.id, 'submit', undefined, maker);
    expectProblem(await act(app, cr.id, 'apply', { emergency: true }, maker), 403, 'FORBIDDEN');
    const applied = await act(app, cr.id, 'apply', { emergency: true }, checker);
    expect(applied.json()).toMatchObject({ state: 'applied', emergency: true, awaiting_review: true });
    // Neither its author nor the admin who forced it through may review it: it waits for a third person.
    for (const who of [maker, checker]) {
      const listed = (await send(app, 'GET', `${CR}?awaiting_review_by=me`, undefined, who)).json();
      expect(listed.change_requests.map((c: { id: string }) => c.id)).not.toContain(cr.id);
    }
    expectProblem(await act(app, cr.id, 'reviews', { decision: 'approve' }, checker), 403, 'SELF_REVIEW');
    // Counted by mode (the alert RiskThresholdEmergencyChange fires on it).
    const metrics = (await send(app, 'GET', '/metrics')).body;
    expect(metrics).toMatch(/^risk_change_requests_applied_total\{mode="emergency"\} 1$/m);
    expect(metrics).toMatch(/^risk_change_requests_applied_total\{mode="manual"\} [1-9]/m);
  });

  it('with approvals required, direct writes and imports answer 409 APPROVAL_REQUIRED saying how to make the change', async () => {
    const before = (await send(app, 'GET', '/v1/admin/risk/threshold-export')).json();
    const body = { name: 'Direct', category: 'other', risk_levels: { low: 1, medium: 2, high: 3, critical: 4 } };
    const direct = expectProblem(await send(app, 'POST', '/v1/admin/risk/thresholds', body), 409, 'APPROVAL_REQUIRED');
    expect(direct.detail).toContain('POST /v1/admin/risk/change-requests');
    expectProblem(
      await send(app, 'PATCH', `/v1/admin/risk/thresholds/${BANKS}`, { priority: 1 }),
      409,
      'APPROVAL_REQUIRED',
    );
    expectProblem(await send(app, 'DELETE', `/v1/admin/risk/thresholds/${BANKS}`), 409, 'APPROVAL_REQUIRED');
    const file = [{ ...body, name: 'Imported' }];
    expect((await send(app, 'POST', '/v1/admin/risk/threshold-import?dry_run=true', file)).json()).toMatchObject({
      created: 1,
      dry_run: true,
    });
    const imported = expectProblem(
      await send(app, 'POST', '/v1/admin/risk/threshold-import', file),
      409,
      'APPROVAL_REQUIRED',
    );
    expect(imported.detail).toContain('as_change_request=true');
    expect((await send(app, 'GET', '/v1/admin/risk/threshold-export')).json()).toEqual(before);

    // The import, proposed: a draft holding what it would do, and nothing written.
    const proposed = await send(app, 'POST', '/v1/admin/risk/threshold-import?as_change_request=true', file);
    expect(proposed.statusCode).toBe(201);
    expect(proposed.headers.location).toBe(`${CR}/${String(proposed.json().id)}`);
    expect(changeRequestResponse.parse(proposed.json())).toMatchObject({
      state: 'draft',
      created_by: 'test-admin',
      items: [{ op: 'create', base_version: null, threshold: { name: 'Imported', category: 'other' } }],
    });
    expect((await send(app, 'GET', '/v1/admin/risk/threshold-export')).json()).toEqual(before);
    expectProblem(
      await send(app, 'POST', '/v1/admin/risk/threshold-import?as_change_request=true', before),
      400,
      'VALIDATION_ERROR',
    );
    expectProblem(
      await send(app, 'POST', '/v1/admin/risk/threshold-import?as_change_request=true&dry_run=true', file),
      400,
      'VALIDATION_ERROR',
    );
    // Over a change request's 1000 items: split the file.
    const many = Array.from({ length: 1001 }, (_, i) => ({ ...body, name: `Many ${i}`, industry_code: `M${i}` }));
    const tooMany = expectProblem(
      await send(app, 'POST', '/v1/admin/risk/threshold-import?as_change_request=true', many),
      400,
      'VALIDATION_ERROR',
    );
    expect(tooMany.detail).toContain('at most 1000');
  });

  it('restore: a past version, proposed as a draft; a deleted threshold comes back with its id', async () => {
    const approveAndApply = async (id: unknown): Promise<Record<string, unknown>> => {
      await act(app, id, 'submit', undefined, maker);
      expect((await act(app, id, 'reviews', { decision: 'approve' }, checker)).statusCode).toBe(201);
      const res = await act(app, id, 'apply', {}, maker);
      expect({ status: res.statusCode, body: res.statusCode === 200 ? null : res.json() }).toEqual({
        status: 200,
        body: null,
      });
      return res.json();
    };
    const current = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    await approveAndApply((await created(app, [banksTo(61, current.version)])).id);
    const v1 = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}/versions/1`)).json();
    const restore = await send(
      app,
      'POST',
      `/v1/admin/risk/thresholds/${BANKS}/restore`,
      { version: 1, reason: 'The tightening over-flagged banks; back to the seeded bands.' },
      maker,
    );
    expect(restore.statusCode).toBe(201);
    const stored = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    expect(restore.json()).toMatchObject({
      state: 'draft',
      items: [{ op: 'update', threshold_id: BANKS, base_version: stored.version, threshold: v1.threshold }],
    });
    await approveAndApply(restore.json().id);
    expect((await send(app, 'POST', '/v1/risk/classify', BANK_REQUEST)).json().level).toBe('medium');
    expectProblem(
      await send(app, 'POST', `/v1/admin/risk/thresholds/${BANKS}/restore`, {
        version: 1,
        reason: 'Once more, to be sure.',
      }),
      400,
      'VALIDATION_ERROR',
    );

    // Deleted through a change request, then restored: the same id, re-created.
    const doomed = await created(app, [
      {
        op: 'create',
        threshold: { name: 'Short-lived', category: 'other', risk_levels: { low: 1, medium: 2, high: 3, critical: 4 } },
      },
    ]);
    const id = ((await approveAndApply(doomed.id)).items as { threshold_id: string }[])[0].threshold_id;
    await approveAndApply((await created(app, [{ op: 'delete', threshold_id: id, base_version: 1 }])).id);
    expect((await send(app, 'GET', `/v1/admin/risk/thresholds/${id}`)).statusCode).toBe(404);
    const back = await send(
      app,
      'POST',
      `/v1/admin/risk/thresholds/${id}/restore`,
      { version: 1, reason: 'Deleted by mistake; the business line still exists.' },
      maker,
    );
    expect(back.json().items).toEqual([
      expect.objectContaining({ op: 'create', threshold_id: id, base_version: null }),
    ]);
    await approveAndApply(back.json().id);
    expect((await send(app, 'GET', `/v1/admin/risk/thresholds/${id}`)).json()).toMatchObject({ name: 'Short-lived' });

    expectProblem(
      await send(app, 'POST', `/v1/admin/risk/thresholds/${BANKS}/restore`, {
        version: 99,
        reason: 'A version never had.',
      }),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await send(app, 'POST', `/v1/admin/risk/thresholds/${BANKS}/restore`, { version: 1, reason: 'short' }),
      400,
      'VALIDATION_ERROR',
    );
    expectProblem(
      await send(
        app,
        'POST',
        `/v1/admin/risk/thresholds/${BANKS}/restore`,
        { version: 1, reason: 'A reader tries.' },
        as('reader'),
      ),
      403,
      'FORBIDDEN',
    );
  });

  it('an update names only the fields it changes; the request holds the complete state, the rest as stored', async () => {
    const stored = (await send(app, 'GET', `/v1/admin/risk/thresholds/${BANKS}`)).json();
    const bands = { low: 29, medium: 54, high: 79, critical: 89 };
    const cr = await created(app, [
      { op: 'update', threshold_id: BANKS, base_version: stored.version, threshold: { risk_levels: bands } },
    ]);
    const {
      id: _id,
      version: _v,
      created_at: _c,
      updated_at: _u,
      created_by: _cb,
      last_modified_by: _m,
      ...fields
    } = stored;
    expect((cr.items as { threshold: unknown }[])[0].threshold).toEqual({ ...fields, risk_levels: bands });
    await act(app, cr.id, 'cancel', undefined, maker);
  });

  it('refuses bad input with a 400 naming the field, and unknown requests with 404', async () => {
    const bad = expectProblem(
      await send(app, 'POST', CR, { title: '', reason: 'short', items: [] }, maker),
      400,
      'VALIDATION_ERROR',
    );
    expect(bad.errors?.map((e) => e.field).sort()).toEqual(['/items', '/reason', '/title']);
    const missing = expectProblem(
      await send(
        app,
        'POST',
        CR,
        {
          title: 'x',
          reason: 'a sound reason',
          items: [{ op: 'delete', threshold_id: '6f1f4f7e-0000-4000-8000-000000000000', base_version: 1 }],
        },
        maker,
      ),
      400,
      'VALIDATION_ERROR',
    );
    expect(missing.errors).toEqual([expect.objectContaining({ field: '/items/0/threshold_id', code: 'not_found' })]);
    expectProblem(await send(app, 'GET', `${CR}/6f1f4f7e-0000-4000-8000-000000000000`), 404, 'NOT_FOUND');
    expectProblem(await send(app, 'GET', `${CR}?cursor=nope`), 400, 'VALIDATION_ERROR');
    expectProblem(await send(app, 'GET', CR, undefined, as('reader')), 403, 'FORBIDDEN');
  });

  it('pages newest first', async () => {
    const page = (await send(app, 'GET', `${CR}?limit=2`)).json();
    expect(page.count).toBe(2);
    const next = (await send(app, 'GET', `${CR}?limit=2&cursor=${String(page.next_cursor)}`)).json();
    const ids = [...page.change_requests, ...next.change_requests].map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('random bodies at every change-request endpoint never produce a 5xx', async () => {
    const id = (await created(app, [banksTo(60, 99)])).id as string;
    const anyValue = fc.jsonValue({ maxDepth: 3 });
    const itemLike = fc.record(
      {
        op: fc.oneof(fc.constantFrom('create', 'update', 'delete', 'nope'), anyValue),
        threshold_id: fc.oneof(fc.uuid(), fc.constant(BANKS), anyValue),
        base_version: fc.oneof(fc.integer(), anyValue),
        threshold: anyValue,
      },
      { requiredKeys: [] },
    );
    const bodyLike = fc.oneof(
      anyValue,
      fc.record(
        {
          title: fc.oneof(fc.string(), anyValue),
          reason: fc.oneof(fc.string(), anyValue),
          ticket: anyValue,
          items: fc.oneof(fc.array(itemLike, { maxLength: 3 }), anyValue),
          decision: fc.oneof(fc.constantFrom('approve', 'reject'), anyValue),
          comment: anyValue,
          emergency: anyValue,
          at: fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            anyValue,
          ),
        },
        { requiredKeys: [] },
      ),
    );
    const targets: [string, string][] = [
      ['POST', CR],
      ['PATCH', `${CR}/${id}`],
      ['POST', `${CR}/${id}/reviews`],
      ['POST', `${CR}/${id}/apply`],
      ['POST', `${CR}/${id}/schedule`],
      ['POST', `${CR}/${id}/submit`],
      ['POST', `${CR}/${id}/cancel`],
    ];
    for (const [method, url] of targets) {
      await fc.assert(
        fc.asyncProperty(bodyLike, async (payload) => {
          const res = await app.inject({
            method: method as 'POST',
            url,
            headers: { 'content-type': 'application/json', ...checker },
            payload: JSON.stringify(payload),
          });
          expect({ url, status: res.statusCode }).toEqual({ url, status: expect.any(Number) });
          expect(res.statusCode).toBeLessThan(500);
        }),
        { numRuns: 60 },
      );
    }
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('state', 'created_by', 'awaiting_review_by', 'limit', 'cursor'), fc.string()),
        async (q) => {
          const res = await app.inject({
            method: 'GET',
            url: `${CR}?${new URLSearchParams(q).toString()}`,
            headers: checker,
          });
          expect(res.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);
});
