import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportResponse, importResponse } from '@app/modules/thresholds/http/threshold.schemas';
import { InMemoryThresholdRepository } from '@app/modules/thresholds/persistence/in-memory/in-memory-threshold.repository';
import { createTestApp, expectProblem, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';

const IMPORT = '/v1/admin/risk/threshold-import';
const EXPORT = '/v1/admin/risk/threshold-export';

describe('bulk API (SPEC §3.3)', () => {
  let app: NestFastifyApplication;
  beforeEach(async () => {
    app = await createTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  const exported = async (target = app): Promise<{ id: string; version: number; name: string }[]> =>
    (await send(target, 'GET', EXPORT)).json();

  it('exports every threshold, inactive included, as an attachment', async () => {
    await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody({ is_active: false }));
    const res = await send(app, 'GET', EXPORT);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename=thresholds_export.json');
    expect(exportResponse.parse(res.json())).toHaveLength(10);
  });

  it('export -> import into an empty store round-trips every field', async () => {
    await send(
      app,
      'POST',
      '/v1/admin/risk/thresholds',
      aCreateBody({
        description: 'd',
        business_type: 'Bank',
        metadata: { a: [1, { b: null }] },
        priority: -3,
        is_active: false,
      }),
    );
    const source = await send(app, 'GET', EXPORT);
    const empty = await createTestApp({ repository: new InMemoryThresholdRepository([]) });
    try {
      expect(await exported(empty)).toEqual([]);
      const res = await send(empty, 'POST', IMPORT, source.json());
      expect(res.statusCode).toBe(200);
      expect(importResponse.parse(res.json())).toEqual({
        created: 10,
        updated: 0,
        unchanged: 0,
        deleted: 0,
        dry_run: false,
      });
      expect(await exported(empty)).toEqual(source.json());
    } finally {
      await empty.close();
    }
  });

  it('upsert: identical items are unchanged (same version), changed ones updated, new ones created', async () => {
    const items = await exported();
    items[0] = { ...items[0], name: 'changed' };
    const fresh = aCreateBody();
    const res = await send(app, 'POST', IMPORT, { thresholds: [...items, fresh] });
    expect(res.json()).toEqual({ created: 1, updated: 1, unchanged: 8, deleted: 0, dry_run: false });
    const after = await exported();
    const changed = after.find((t) => t.id === items[0].id);
    expect(changed).toMatchObject({ name: 'changed', version: 2 });
    expect(after.filter((t) => t.version === 1)).toHaveLength(9);
  });

  it('replace deletes what the file does not contain', async () => {
    const items = await exported();
    const res = await send(app, 'POST', `${IMPORT}?mode=replace`, items.slice(0, 3));
    expect(res.json()).toEqual({ created: 0, updated: 0, unchanged: 3, deleted: 6, dry_run: false });
    expect((await exported()).map((t) => t.id).sort()).toEqual(
      items
        .slice(0, 3)
        .map((t) => t.id)
        .sort(),
    );
  });

  it('dry_run reports the counts and changes nothing', async () => {
    const before = await exported();
    const res = await send(app, 'POST', `${IMPORT}?mode=replace&dry_run=true`, [aCreateBody()]);
    expect(res.json()).toEqual({ created: 1, updated: 0, unchanged: 0, deleted: 9, dry_run: true });
    expect(await exported()).toEqual(before);
  });

  it('rejects the whole import when one item is invalid, naming its index', async () => {
    const before = await exported();
    const items = [
      aCreateBody(),
      aCreateBody(),
      aCreateBody({ risk_levels: { low: 1, medium: 2, high: 3, critical: 101 } }),
      aCreateBody(),
    ];
    const body = expectProblem(await send(app, 'POST', IMPORT, { thresholds: items }), 400, 'VALIDATION_ERROR');
    expect(body.errors).toEqual([expect.objectContaining({ field: '/thresholds/2/risk_levels/critical' })]);
    expect(body.detail).toContain('/thresholds/2');
    expect(await exported()).toEqual(before);
    const bare = expectProblem(
      await send(app, 'POST', IMPORT, [aCreateBody(), { name: 'x' }]),
      400,
      'VALIDATION_ERROR',
    );
    expect(bare.errors?.every((e) => e.field.startsWith('/1/'))).toBe(true);
  });

  it('refuses server fields no reader could print or send back: years outside 1970-9999, huge versions', async () => {
    const before = await exported();
    const items = [
      aCreateBody({ created_at: '0000-01-01T00:00:00+01:00' }),
      aCreateBody({ updated_at: '9999-12-31T23:59:59-01:00' }),
      aCreateBody({ version: 1e15, created_at: '2026-13-01T00:00:00Z' }),
      aCreateBody({ created_at: '2026-01-01T00:00:00Z', updated_at: '9999-12-31T23:59:59Z', version: 2_000_000_000 }),
    ];
    const body = expectProblem(await send(app, 'POST', IMPORT, items), 400, 'VALIDATION_ERROR');
    expect(body.errors?.map((e) => e.field)).toEqual(['/0/created_at', '/1/updated_at', '/2/version', '/2/created_at']);
    expect(await exported()).toEqual(before);
  });

  it('answers 409 when the resulting set has two active defaults in a category, and changes nothing', async () => {
    const before = await exported();
    const body = expectProblem(
      await send(app, 'POST', IMPORT, [aCreateBody({ category: 'financial', is_default: true })]),
      409,
      'CONFLICT',
    );
    expect(body.errors).toEqual([expect.objectContaining({ field: '/0/is_default', code: 'default_exists' })]);
    expect(await exported()).toEqual(before);
  });

  it('answers 400 for a body of the wrong shape, duplicate ids and bad query values', async () => {
    for (const bad of [{}, { thresholds: {} }, 'x', { thresholds: [], extra: 1 }]) {
      expectProblem(await send(app, 'POST', IMPORT, bad), 400, 'VALIDATION_ERROR');
    }
    const item = aCreateBody({ id: '3f2b8c1e-5d4a-4c3b-9a8b-7c6d5e4f3a2b' });
    const dup = expectProblem(await send(app, 'POST', IMPORT, [item, item]), 400, 'VALIDATION_ERROR');
    expect(dup.errors).toEqual([expect.objectContaining({ field: '/1/id', code: 'duplicate_id' })]);
    expectProblem(await send(app, 'POST', `${IMPORT}?mode=merge`, []), 400, 'VALIDATION_ERROR');
    expectProblem(await send(app, 'POST', `${IMPORT}?dry_run=1`, []), 400, 'VALIDATION_ERROR');
  });
});
