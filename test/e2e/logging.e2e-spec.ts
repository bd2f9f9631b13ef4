import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, logCapture, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';

interface LogLine {
  level: string;
  time: string;
  msg: string;
  request_id?: string;
  context?: string;
  [key: string]: unknown;
}

describe('structured logs', () => {
  let app: NestFastifyApplication;
  const raw: string[] = [];
  const lines = (): LogLine[] =>
    raw.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as LogLine);

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw.push(chunk.toString());
        done();
      },
    });
    app = await createTestApp({ logStream: stream, env: { LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    raw.length = 0;
  });

  it('writes one JSON line per event with level, time, msg, request_id; the id is the caller’s and is in the error body', async () => {
    const res = await send(app, 'GET', '/v1/risk/thresholds/not-a-uuid', undefined, { 'x-request-id': 'abc-123' });
    expect(res.json().request_id).toBe('abc-123');
    const mine = lines().filter((l) => l.request_id === 'abc-123');
    expect(mine.length).toBeGreaterThan(0);
    for (const line of mine) {
      expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
    }
    expect(mine.some((l) => l.msg.includes('GET /v1/risk/thresholds/not-a-uuid 400'))).toBe(true);
  });

  it('never logs an Authorization or X-API-Key header, or a cookie', async () => {
    await send(app, 'POST', '/v1/admin/risk/thresholds', aCreateBody(), {
      authorization: 'Bearer rts_live_supersecretkey',
      'x-api-key': 'rts_live_otherkey',
      cookie: 'session=s3cr3t',
    });
    await send(app, 'GET', '/no/route', undefined, { authorization: 'Bearer rts_live_supersecretkey' });
    const all = raw.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toMatch(/supersecretkey|otherkey|s3cr3t/);
  });

  it('replaces a 10 KB or control-character request id with a generated one', async () => {
    for (const bad of ['a'.repeat(10 * 1024), 'abc\u0001def', 'line\nbreak']) {
      raw.length = 0;
      const res = await app.inject({ method: 'GET', url: '/v1/risk/categories', headers: { 'x-request-id': bad } });
      const id = res.headers['x-request-id'] as string;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(lines().some((l) => l.request_id === id)).toBe(true);
      expect(raw.join('')).not.toContain('a'.repeat(200));
    }
  });

  it('does not log successful probes and scrapes, but logs failed ones', async () => {
    await send(app, 'GET', '/health/live');
    await send(app, 'GET', '/health/ready');
    await send(app, 'GET', '/metrics');
    expect(lines().filter((l) => /\/health|\/metrics/.test(l.msg))).toEqual([]);
    await send(app, 'POST', '/health/live');
    expect(lines().some((l) => l.msg.includes('POST /health/live 404'))).toBe(true);
  });
});

describe('request lines by REQUEST_LOG_POLICY', () => {
  it('keeps what the operator asks for: every classify line, only errors elsewhere', async () => {
    const { stream, lines: logged } = logCapture<LogLine>();
    const app = await createTestApp({
      logStream: stream,
      env: { LOG_LEVEL: 'info', REQUEST_LOG_POLICY: 'default=errors,classify=all', REQUEST_LOG_SLOW_MS: '600000' },
    });
    try {
      const messages = (): string[] => logged().map((l) => l.msg);
      await send(app, 'POST', '/v1/risk/classify', { score: 50, category: 'financial' });
      await send(app, 'GET', '/v1/risk/categories');
      await send(app, 'GET', '/v1/admin/risk/thresholds');
      await send(app, 'GET', '/v1/risk/thresholds/00000000-0000-4000-8000-00000000ffff');
      const requests = messages().filter((m) => /^(GET|POST) \//.test(m));
      expect(requests).toEqual([
        'POST /v1/risk/classify 200',
        'GET /v1/risk/thresholds/00000000-0000-4000-8000-00000000ffff 404',
      ]);
    } finally {
      await app.close();
    }
  });

  it('warns at start about a route key that names no served route', async () => {
    const { stream, lines: logged } = logCapture<LogLine>();
    const app = await createTestApp({
      logStream: stream,
      env: {
        LOG_LEVEL: 'info',
        REQUEST_LOG_POLICY:
          'GET /v1/risk/threshold/:id=all,GET /v1/admin/risk/thresholds/:uuid=all,GET /v1/risk/thresholds/:id=all',
      },
    });
    try {
      const warnings = logged().filter((l) => l.level === 'warn' && l.msg.includes('REQUEST_LOG_POLICY'));
      expect(warnings.map((l) => l.msg)).toEqual([
        expect.stringContaining(
          'names no served route: GET /v1/risk/threshold/:id, GET /v1/admin/risk/thresholds/:uuid (',
        ),
      ]);
    } finally {
      await app.close();
    }
  });

  it('refuses a policy it cannot read, at start, naming the entry', async () => {
    await expect(createTestApp({ env: { REQUEST_LOG_POLICY: 'classify=sometimes' } })).rejects.toThrow(
      /REQUEST_LOG_POLICY.*classify=sometimes/s,
    );
  });
});
