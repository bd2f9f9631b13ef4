import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  historyResponse,
  thresholdListResponse,
  thresholdResponse,
} from '@app/modules/thresholds/http/threshold.schemas';
import { createTestApp, expectProblem, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';

const ADMIN = '/v1/admin/risk/thresholds';
const FINANCIAL_DEFAULT = '00000000-0000-4000-8000-000000000001';

describe('write API (SPEC §3.2)', () => {
  let app: NestFastifyApplication;
  beforeEach(async () => {
    app = await createTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  const exportAll = async (): Promise<unknown> => (await send(app, 'GET', '/v1/admin/risk/threshold-export')).json();

  describe('POST', () => {
    it('creates a threshold: 201, Location, ETag, defaults applied', async () => {
      const res = await send(app, 'POST', ADMIN, aCreateBody({ name: '  Bank lending  ', business_type: 'Bank' }));
      expect(res.statusCode).toBe(201);
      const body = thresholdResponse.parse(res.json());
      expect(res.headers.location).toBe(`${ADMIN}/${body.id}`);
      expect(res.headers.etag).toBe('"1"');
      expect(body).toMatchObject({
        name: 'Bank lending',
        description: null,
        industry_code: null,
        business_type: 'Bank',
        is_default: false,
        is_active: true,
        priority: 0,
        metadata: null,
        version: 1,
        created_by: 'test-admin',
        last_modified_by: 'test-admin',
      });
      const fetched = await send(app, 'GET', res.headers.location as string);
      expect(fetched.json()).toEqual(body);
    });

    it('keeps a client-supplied id and answers 409 for an existing one, changing nothing', async () => {
      const id = '3f2b8c1e-5d4a-4c3b-9a8b-7c6d5e4f3a2b';
      expect((await send(app, 'POST', ADMIN, aCreateBody({ id }))).statusCode).toBe(201);
      const before = await exportAll();
      const body = expectProblem(await send(app, 'POST', ADMIN, aCreateBody({ id })), 409, 'CONFLICT');
      expect(body.errors).toEqual([expect.objectContaining({ field: '/id', code: 'duplicate_id' })]);
      expect(await exportAll()).toEqual(before);
    });

    it('answers 409 for a second active default in a category and changes nothing', async () => {
      const before = await exportAll();
      const body = expectProblem(
        await send(app, 'POST', ADMIN, aCreateBody({ category: 'financial', is_default: true })),
        409,
        'CONFLICT',
      );
      expect(body.detail).toContain(FINANCIAL_DEFAULT);
      expect(await exportAll()).toEqual(before);
      // An inactive default is allowed.
      expect(
        (await send(app, 'POST', ADMIN, aCreateBody({ category: 'financial', is_default: true, is_active: false })))
          .statusCode,
      ).toBe(201);
    });

    it('answers 400 listing every invalid field', async () => {
      const body = expectProblem(
        await send(app, 'POST', ADMIN, {
          name: ' ',
          category: 'weather',
          risk_levels: { low: 50, medium: 40, high: 75, critical: 90 },
          priority: 1.5,
          metadata: [],
          version: 3,
        }),
        400,
        'VALIDATION_ERROR',
      );
      expect(body.errors?.map((e) => e.field).sort()).toEqual([
        '/category',
        '/metadata',
        '/name',
        '/priority',
        '/risk_levels/medium',
        '/version',
      ]);
      const levels = expectProblem(
        await send(app, 'POST', ADMIN, aCreateBody({ risk_levels: { low: 50, medium: 40, high: 75, critical: 90 } })),
        400,
        'VALIDATION_ERROR',
      );
      expect(levels.errors).toEqual([
        { field: '/risk_levels/medium', message: 'must be greater than low (50)', code: 'not_ascending' },
      ]);
    });

    it('rejects metadata over 16 KiB', async () => {
      const body = expectProblem(
        await send(app, 'POST', ADMIN, aCreateBody({ metadata: { blob: 'x'.repeat(16 * 1024) } })),
        400,
        'VALIDATION_ERROR',
      );
      expect(body.errors).toEqual([expect.objectContaining({ field: '/metadata', code: 'too_large' })]);
    });
  });

  describe('PATCH and PUT', () => {
    async function create(overrides: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
      return (
        await send(app, 'POST', ADMIN, aCreateBody({ description: 'first', industry_code: '52', ...overrides }))
      ).json();
    }

    it('changes only the fields sent; null clears a nullable field; the version goes up', async () => {
      const t = await create({ metadata: { team: 'risk' } });
      const res = await send(app, 'PATCH', `${ADMIN}/${t.id}`, { priority: 7, industry_code: null, metadata: null });
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      expect(thresholdResponse.parse(res.json())).toMatchObject({
        priority: 7,
        industry_code: null,
        metadata: null,
        description: 'first',
        version: 2,
      });
    });

    it('PUT has the same partial semantics', async () => {
      const t = await create();
      const res = await send(app, 'PUT', `${ADMIN}/${t.id}`, { name: 'renamed' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ name: 'renamed', description: 'first', industry_code: '52', version: 2 });
    });

    it('a PATCH with invalid levels is 400 and the stored threshold is unchanged', async () => {
      const t = await create();
      const before = (await send(app, 'GET', `${ADMIN}/${t.id}`)).json();
      const body = expectProblem(
        await send(app, 'PATCH', `${ADMIN}/${t.id}`, { name: 'x', risk_levels: { low: 10, medium: 20, high: 30 } }),
        400,
        'VALIDATION_ERROR',
      );
      expect(body.errors).toEqual([{ field: '/risk_levels/critical', message: 'is required', code: 'required' }]);
      expect((await send(app, 'GET', `${ADMIN}/${t.id}`)).json()).toEqual(before);
    });

    it('rejects null for a non-nullable field, unknown and read-only fields, and an empty body', async () => {
      const t = await create();
      for (const body of [{ name: null }, { is_active: null }, { version: 5 }, { id: t.id }, {}]) {
        expectProblem(await send(app, 'PATCH', `${ADMIN}/${t.id}`, body), 400, 'VALIDATION_ERROR');
      }
    });

    it('honours If-Match: 412 with the current ETag on a mismatch, W/ tolerated, * accepted', async () => {
      const t = await create();
      const stale = await send(app, 'PATCH', `${ADMIN}/${t.id}`, { name: 'a' }, { 'if-match': '"7"' });
      expectProblem(stale, 412, 'PRECONDITION_FAILED');
      expect(stale.headers.etag).toBe('"1"');
      expect((await send(app, 'GET', `${ADMIN}/${t.id}`)).json()).toMatchObject({
        version: 1,
        name: expect.not.stringMatching(/^a$/),
      });
      const weak = await send(app, 'PATCH', `${ADMIN}/${t.id}`, { name: 'b' }, { 'if-match': 'W/"1"' });
      expect(weak.statusCode).toBe(200);
      const star = await send(app, 'PUT', `${ADMIN}/${t.id}`, { name: 'c' }, { 'if-match': '*' });
      expect(star.json()).toMatchObject({ name: 'c', version: 3 });
      expectProblem(
        await send(app, 'PATCH', `${ADMIN}/${t.id}`, { name: 'd' }, { 'if-match': 'three' }),
        400,
        'BAD_REQUEST',
      );
    });

    it('answers 409 when a change would make a second active default', async () => {
      const t = await create({ category: 'financial' });
      expectProblem(await send(app, 'PATCH', `${ADMIN}/${t.id}`, { is_default: true }), 409, 'CONFLICT');
      expect((await send(app, 'GET', `${ADMIN}/${t.id}`)).json()).toMatchObject({ is_default: false, version: 1 });
    });

    it('a change to the same values keeps the version', async () => {
      const t = await create();
      const res = await send(app, 'PATCH', `${ADMIN}/${t.id}`, { description: 'first' });
      expect(res.json()).toMatchObject({ version: 1 });
    });

    it('answers 404 for an unknown id', async () => {
      expectProblem(
        await send(app, 'PATCH', `${ADMIN}/3f2b8c1e-5d4a-4c3b-9a8b-7c6d5e4f3a2b`, { name: 'x' }),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe('DELETE', () => {
    it('deletes (204), then 404; honours If-Match', async () => {
      const t = (await send(app, 'POST', ADMIN, aCreateBody())).json();
      expectProblem(
        await send(app, 'DELETE', `${ADMIN}/${t.id}`, undefined, { 'if-match': '"2"' }),
        412,
        'PRECONDITION_FAILED',
      );
      const res = await send(app, 'DELETE', `${ADMIN}/${t.id}`, undefined, { 'if-match': '"1"' });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expectProblem(await send(app, 'GET', `${ADMIN}/${t.id}`), 404, 'NOT_FOUND');
      expectProblem(await send(app, 'DELETE', `${ADMIN}/${t.id}`), 404, 'NOT_FOUND');
    });

    it('a client that sends Content-Type: application/json on every request may delete (no body)', async () => {
      const t = (await send(app, 'POST', ADMIN, aCreateBody())).json();
      const res = await send(app, 'DELETE', `${ADMIN}/${t.id}`, undefined, { 'content-type': 'application/json' });
      expect(res.statusCode).toBe(204);
    });
  });

  describe('GET (admin)', () => {
    it('lists inactive thresholds too, and filters on is_active', async () => {
      const inactive = (await send(app, 'POST', ADMIN, aCreateBody({ is_active: false }))).json();
      const all = thresholdListResponse.parse((await send(app, 'GET', ADMIN)).json());
      expect(all.count).toBe(10);
      const onlyInactive = (await send(app, 'GET', `${ADMIN}?is_active=false`)).json();
      expect(onlyInactive.thresholds.map((t: { id: string }) => t.id)).toEqual([inactive.id]);
      expect((await send(app, 'GET', `${ADMIN}?is_active=true`)).json().count).toBe(9);
      expectProblem(await send(app, 'GET', `${ADMIN}?is_active=yes`), 400, 'VALIDATION_ERROR');
      const fetched = await send(app, 'GET', `${ADMIN}/${inactive.id}`);
      expect(fetched.statusCode).toBe(200);
      expect(fetched.headers.etag).toBe('"1"');
    });
  });

  describe('GET {id}/history', () => {
    it('lists every write newest first with actor, request id and changed fields, and survives a delete', async () => {
      const created = (
        await send(app, 'POST', ADMIN, aCreateBody({ name: 'A' }), { 'x-request-id': 'req-create' })
      ).json();
      await send(app, 'PATCH', `${ADMIN}/${created.id}`, { name: 'B' }, { 'x-request-id': 'req-patch' });
      await send(app, 'DELETE', `${ADMIN}/${created.id}`, undefined, { 'x-request-id': 'req-delete' });
      const res = await send(app, 'GET', `${ADMIN}/${created.id}/history`);
      expect(res.statusCode).toBe(200);
      const body = historyResponse.parse(res.json());
      expect(body.threshold_id).toBe(created.id);
      expect(body.history.map((h) => [h.action, h.version, h.actor, h.request_id])).toEqual([
        ['delete', 2, 'test-admin', 'req-delete'],
        ['update', 2, 'test-admin', 'req-patch'],
        ['create', 1, 'test-admin', 'req-create'],
      ]);
      expect(body.history[1].changes).toEqual({ name: { from: 'A', to: 'B' } });
      expect(body.history[2].changes.risk_levels).toEqual({ from: null, to: created.risk_levels });
    });

    // Issue #14, finding 7: the caller's X-Request-Id was the only id in the audit trail, so one
    // client could reuse another request's id.
    it("keeps the caller's request id for correlation and the server's own unique id beside it", async () => {
      const created = (await send(app, 'POST', ADMIN, aCreateBody(), { 'x-request-id': 'reused' })).json();
      const patch = await send(app, 'PATCH', `${ADMIN}/${created.id}`, { priority: 7 }, { 'x-request-id': 'reused' });
      const own = await send(app, 'PATCH', `${ADMIN}/${created.id}`, { priority: 8 });
      const { history } = historyResponse.parse((await send(app, 'GET', `${ADMIN}/${created.id}/history`)).json());
      expect(history.map((h) => h.request_id)).toEqual([own.headers['x-request-id'], 'reused', 'reused']);
      const serverIds = history.map((h) => h.server_request_id);
      expect(new Set(serverIds).size).toBe(3);
      for (const id of serverIds)
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // A request without its own id: the server's id is the request id.
      expect(serverIds[0]).toBe(own.headers['x-request-id']);
      expect(patch.headers['x-request-id']).toBe('reused');
    });

    it('answers [] for a threshold without writes, 404 for an unknown id, 400 for a malformed one', async () => {
      expect((await send(app, 'GET', `${ADMIN}/${FINANCIAL_DEFAULT}/history`)).json()).toEqual({
        threshold_id: FINANCIAL_DEFAULT,
        history: [],
      });
      expectProblem(await send(app, 'GET', `${ADMIN}/3f2b8c1e-5d4a-4c3b-9a8b-7c6d5e4f3a2b/history`), 404, 'NOT_FOUND');
      expectProblem(await send(app, 'GET', `${ADMIN}/nope/history`), 400, 'VALIDATION_ERROR');
    });
  });
});

describe('Idempotency-Key on create', () => {
  let app: NestFastifyApplication;
  beforeEach(async () => {
    app = await createTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('a retried create with the same key and body creates one threshold and answers the original', async () => {
    const body = aCreateBody({ name: 'exactly once' });
    const first = await send(app, 'POST', ADMIN, body, { 'idempotency-key': 'req-42' });
    const retry = await send(app, 'POST', ADMIN, body, { 'idempotency-key': 'req-42' });
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.headers.location).toBe(first.headers.location);
    const all = (await send(app, 'GET', `${ADMIN}?limit=500`)).json().thresholds;
    expect(all.filter((t: { name: string }) => t.name === 'exactly once')).toHaveLength(1);
  });

  // Issue #14, finding 8: a replay after the delete answered 201 with a Location that was 404.
  it('a retry after the created threshold was deleted is 409 idempotency_gone and creates nothing', async () => {
    const body = aCreateBody({ name: 'gone' });
    const first = (await send(app, 'POST', ADMIN, body, { 'idempotency-key': 'req-44' })).json();
    await send(app, 'DELETE', `${ADMIN}/${first.id}`);
    const retry = await send(app, 'POST', ADMIN, body, { 'idempotency-key': 'req-44' });
    const problem = expectProblem(retry, 409, 'CONFLICT');
    expect(problem.errors?.[0].code).toBe('idempotency_gone');
    expect(problem.detail).toContain(first.id);
    expect(retry.headers.location).toBeUndefined();
    const names = (await send(app, 'GET', `${ADMIN}?limit=500`)).json().thresholds.map((t: { name: string }) => t.name);
    expect(names).not.toContain('gone');
  });

  it('the same key with a different body is 409 and creates nothing; a malformed key is 400', async () => {
    await send(app, 'POST', ADMIN, aCreateBody({ name: 'a' }), { 'idempotency-key': 'req-43' });
    const other = await send(app, 'POST', ADMIN, aCreateBody({ name: 'b' }), { 'idempotency-key': 'req-43' });
    expect(expectProblem(other, 409, 'CONFLICT').errors?.[0].code).toBe('idempotency_mismatch');
    const names = (await send(app, 'GET', `${ADMIN}?limit=500`)).json().thresholds.map((t: { name: string }) => t.name);
    expect(names).not.toContain('b');
    expectProblem(
      await send(app, 'POST', ADMIN, aCreateBody(), { 'idempotency-key': 'has space' }),
      400,
      'BAD_REQUEST',
    );
  });
});
