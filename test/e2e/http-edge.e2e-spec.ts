import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemoryThresholdRepository } from '@app/modules/thresholds/persistence/in-memory/in-memory-threshold.repository';
import { as, createTestApp, expectProblem, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';

describe('HTTP edge: problem+json, request ids, body rules', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({ env: { BODY_LIMIT_BYTES: '2048', IMPORT_BODY_LIMIT_BYTES: '65536' } });
  });
  afterAll(async () => {
    await app.close();
  });

  describe('X-Request-Id', () => {
    it('echoes a well-formed caller id on success and in error bodies', async () => {
      const ok = await send(app, 'GET', '/v1/risk/categories', undefined, { 'x-request-id': 'trace-1.a:b_c-d' });
      expect(ok.headers['x-request-id']).toBe('trace-1.a:b_c-d');
      const err = await send(app, 'GET', '/nowhere', undefined, { 'x-request-id': 'trace-2' });
      expect(err.headers['x-request-id']).toBe('trace-2');
      expect(err.json().request_id).toBe('trace-2');
    });

    it.each([['has space'], ['x'.repeat(129)], ['semi;colon'], ['']])(
      'replaces an invalid id %p with a UUID',
      async (given) => {
        const res = await send(app, 'GET', '/v1/risk/categories', undefined, { 'x-request-id': given });
        expect(res.headers['x-request-id']).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
      },
    );

    it('generates a different id for every request without one', async () => {
      const a = await send(app, 'GET', '/v1/risk/categories');
      const b = await send(app, 'GET', '/v1/risk/categories');
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const body = expectProblem(await send(app, 'GET', '/v2/anything?x=1'), 404, 'NOT_FOUND');
    expect(body).toMatchObject({ instance: '/v2/anything', title: 'Not found' });
    expectProblem(await send(app, 'DELETE', '/v1/risk/categories'), 404, 'NOT_FOUND');
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/risk/classify',
      headers: { ...as('admin'), 'content-type': 'application/json' },
      payload: '{"score": 5,',
    });
    expect(expectProblem(res, 400, 'BAD_REQUEST').detail).toBe('The request body is not valid JSON.');
  });

  it('rejects prototype poisoning', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/risk/classify',
      headers: { ...as('admin'), 'content-type': 'application/json' },
      payload: '{"score":5,"category":"financial","__proto__":{"polluted":true}}',
    });
    expectProblem(res, 400, 'BAD_REQUEST');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data; boundary=x'],
    ['application/xml'],
  ])('answers a %s body with 415', async (type) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/admin/risk/thresholds',
      headers: { ...as('admin'), 'content-type': type },
      payload: 'a=b',
    });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts application/json with a charset', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/risk/classify',
      headers: { ...as('admin'), 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ score: 5, category: 'other' }),
    });
    expect(res.statusCode).toBe(200);
  });

  it('answers a body over BODY_LIMIT_BYTES with 413, and the import endpoint takes up to IMPORT_BODY_LIMIT_BYTES', async () => {
    const big = aCreateBody({ description: 'x'.repeat(1900), metadata: { pad: 'y'.repeat(400) } });
    expectProblem(await send(app, 'POST', '/v1/admin/risk/thresholds', big), 413, 'PAYLOAD_TOO_LARGE');
    const ok = await send(app, 'POST', '/v1/admin/risk/threshold-import?dry_run=true', [big]);
    expect(ok.statusCode).toBe(200);
    const huge = Array.from({ length: 40 }, () => aCreateBody({ description: 'x'.repeat(1900) }));
    expectProblem(
      await send(app, 'POST', '/v1/admin/risk/threshold-import?dry_run=true', huge),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('answers a missing body with 400', async () => {
    const body = expectProblem(
      await app.inject({ method: 'POST', url: '/v1/risk/classify', headers: as('admin') }),
      400,
      'VALIDATION_ERROR',
    );
    expect(body.errors).toEqual([{ field: '/', message: 'is required', code: 'required' }]);
    expectProblem(
      await app.inject({
        method: 'POST',
        url: '/v1/risk/classify',
        headers: { ...as('admin'), 'content-type': 'application/json' },
      }),
      400,
      'BAD_REQUEST',
    );
  });
});

describe('HTTP edge: unexpected errors', () => {
  class FailingRepository extends InMemoryThresholdRepository {
    override create(): never {
      throw new Error('connect ECONNREFUSED 10.1.2.3:5432 at /srv/app/node_modules/pg/lib/client.js password=hunter2');
    }
  }

  it('answers 500 INTERNAL_ERROR revealing nothing internal, and logs the error with the request id', async () => {
    const logged: unknown[] = [];
    const logger: LoggerService = {
      log: () => undefined,
      warn: () => undefined,
      error: (...args: unknown[]) => logged.push(args),
    };
    const app = await createTestApp({ repository: new FailingRepository([]), logger });
    try {
      const res = await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody(), { 'x-request-id': 'boom-1' });
      const body = expectProblem(res, 500, 'INTERNAL_ERROR');
      expect(res.body).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|node_modules|hunter2|stack|Error:/);
      expect(body.request_id).toBe('boom-1');
      expect(JSON.stringify(logged)).toContain('boom-1');
      expect(JSON.stringify(logged)).toContain('ECONNREFUSED');
    } finally {
      await app.close();
    }
  });
});
