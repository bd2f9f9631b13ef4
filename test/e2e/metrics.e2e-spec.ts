import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, send } from '@test/support/app';

/** The value of one series in a Prometheus text exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('GET /metrics', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });
  const scrape = async (): Promise<string> => (await send(app, 'GET', '/metrics')).body;

  it('exposes the SPEC §5 metrics and the default process metrics in the text format', async () => {
    const res = await send(app, 'GET', '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds',
      'risk_thresholds',
      'risk_classifications_total',
      'storage_degraded',
      'rate_limit_rejections_total',
      'risk_sign_ins_total',
      'risk_change_requests',
      'risk_change_requests_applied_total',
      'risk_change_request_failures_total',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(res.body).toContain(`# TYPE ${name} `);
    }
    expect(sample(res.body, 'storage_degraded')).toBe(0);
    expect(sample(res.body, 'risk_thresholds', { category: 'regulatory', active: 'true' })).toBe(3);
  });

  it('labels requests with the route template: 1000 different ids make one series', async () => {
    for (let i = 0; i < 1000; i++) {
      await send(app, 'GET', `/v1/risk/thresholds/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    }
    await send(app, 'GET', '/no/such/route/1');
    await send(app, 'GET', '/no/such/route/2');
    const text = await scrape();
    const routes = new Set(
      text
        .split('\n')
        .filter((l) => l.startsWith('http_requests_total{') && l.includes('/v1/risk/thresholds/'))
        .map((l) => /route="([^"]+)"/.exec(l)?.[1]),
    );
    // One route series (split only by status: the 9 seeds answer 200, the rest 404).
    expect([...routes]).toEqual(['/v1/risk/thresholds/:id']);
    expect(sample(text, 'http_requests_total', { route: '/v1/risk/thresholds/:id', status: '200' })).toBe(9);
    expect(sample(text, 'http_requests_total', { route: '/v1/risk/thresholds/:id', status: '404' })).toBe(991);
    expect(sample(text, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(2);
    expect(text).not.toContain('/no/such/route');
  });

  it('counters move with traffic: requests, latency observations and classifications by level', async () => {
    const before = await scrape();
    for (let i = 0; i < 5; i++) await send(app, 'POST', '/v1/risk/classify', { score: 95, category: 'financial' });
    const after = await scrape();
    const labels = { method: 'POST', route: '/v1/risk/classify', status: '200' };
    expect(sample(after, 'http_requests_total', labels) - sample(before, 'http_requests_total', labels)).toBe(5);
    expect(
      sample(after, 'http_request_duration_seconds_count', labels) -
        sample(before, 'http_request_duration_seconds_count', labels),
    ).toBe(5);
    const level = { category: 'financial', level: 'critical' };
    expect(
      sample(after, 'risk_classifications_total', level) - sample(before, 'risk_classifications_total', level),
    ).toBe(5);
    expect(after).toContain('http_request_duration_seconds_bucket{le="0.001"');
  });

  it('each application has its own registry (no "already registered" across instances)', async () => {
    const other = await createTestApp();
    try {
      const fresh = (await send(other, 'GET', '/metrics')).body;
      expect(sample(fresh, 'http_requests_total', { route: '/v1/risk/thresholds/:id' })).toBe(0);
    } finally {
      await other.close();
    }
  });
});
