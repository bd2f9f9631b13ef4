import { Counter, Histogram, Registry } from 'prom-client';
import { HttpRequestMetrics } from '@app/modules/metrics/http-request-metrics';
import { LATENCY_BUCKETS, METRIC } from '@app/modules/metrics/metrics.definitions';

/** prom-client's own Counter and Histogram, as the service registered them before. */
function promClient(): {
  registry: Registry;
  record: (method: string, route: string, status: number, s: number) => void;
} {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: METRIC.httpRequests,
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: METRIC.httpDuration,
    help: 'Time to answer an HTTP request, by method, route template and status.',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    record: (method, route, status, seconds) => {
      requests.labels(method, route, String(status)).inc();
      duration.labels(method, route, String(status)).observe(seconds);
    },
  };
}

describe('HttpRequestMetrics', () => {
  it("exposes exactly what prom-client's Counter and Histogram expose for the same answers (text and JSON)", async () => {
    const reference = promClient();
    const registry = new Registry();
    const metrics = new HttpRequestMetrics(registry);
    const classify = { url: '/v1/risk/classify' };
    const get = { url: '/v1/risk/thresholds/:id' };
    // Every bucket edge, values between them, above the last, and several series per route.
    const seconds = [0, 0.001, 0.0011, 0.0025, 0.004, 0.01, 0.3, 1, 2.5, 4.9, 5, 7.5, 120];
    seconds.forEach((s, i) => {
      for (const [route, method, template, status] of [
        [classify, 'POST', '/v1/risk/classify', i % 3 === 0 ? 400 : 200],
        [get, 'GET', '/v1/risk/thresholds/:id', i % 4 === 0 ? 404 : 200],
        [undefined, 'GET', 'unmatched', 404],
        [undefined, 'DELETE', 'unmatched', 404],
      ] as const) {
        metrics.record(route, method, template, status, s);
        reference.record(method, template, status, s);
      }
    });
    expect(await registry.metrics()).toBe(await reference.registry.metrics());
    expect(await registry.getMetricsAsJSON()).toEqual(await reference.registry.getMetricsAsJSON());
    registry.resetMetrics();
    reference.registry.resetMetrics();
    metrics.record(classify, 'POST', '/v1/risk/classify', 200, 0.002);
    reference.record('POST', '/v1/risk/classify', 200, 0.002);
    expect(await registry.metrics()).toBe(await reference.registry.metrics());
  });
});
