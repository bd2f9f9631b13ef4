import type { Registry } from 'prom-client';
import { LATENCY_BUCKETS, METRIC } from '@app/modules/metrics/metrics.definitions';

type Labels = { method: string; route: string; status: string };

interface Series {
  readonly labels: Labels;
  count: number;
  sum: number;
  /** Answers per bucket (not cumulative); the last slot counts those above every bound. */
  readonly perBucket: Float64Array;
}

interface Exported {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: {
    labels: Record<string, string | number>;
    sharedLabels?: Labels;
    value: number;
    metricName?: string;
    exemplar?: null;
  }[];
}

/** A metric the registry exposes (prom-client reads `getForPromString` for the text, `get` for JSON). */
interface RegistryMetric {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get(): Promise<Exported>;
  getForPromString(): Promise<Exported>;
  reset(): void;
}

/**
 * `http_requests_total` and `http_request_duration_seconds` (CONTRACT §5), recorded for every
 * answer by the edge's `onResponse` hook. prom-client's labelled `inc` and `observe` hash the label
 * set on every call and cost several microseconds per request; here a route's series are found
 * from its declaration (one small map per route, by status) and recording is two additions and a
 * bucket increment. The registry reads them at scrape time in prom-client's own export format,
 * so `/metrics` is byte for byte what prom-client's Counter and Histogram write.
 */
export class HttpRequestMetrics {
  private readonly all: Series[] = [];
  private readonly unmatched = new Map<string | number, Series>();
  private byRoute = new WeakMap<object, Map<string | number, Series>>();

  constructor(
    registry: Registry,
    private readonly bounds: readonly number[] = LATENCY_BUCKETS,
  ) {
    registry.registerMetric(this.metric(METRIC.httpRequests, REQUESTS_HELP, 'counter') as never);
    registry.registerMetric(this.metric(METRIC.httpDuration, DURATION_HELP, 'histogram') as never);
  }

  /** Records one answer of `route` (its declaration; undefined when no route matched) under its template. */
  record(route: object | undefined, method: string, template: string, status: number, seconds: number): void {
    let table = route === undefined ? this.unmatched : this.byRoute.get(route);
    if (!table) {
      table = new Map();
      this.byRoute.set(route!, table);
    }
    // A route's declaration is its method's (Fastify registers HEAD twins with their own).
    const key = route === undefined ? `${method} ${status}` : status;
    let series = table.get(key);
    if (!series) {
      series = {
        labels: { method, route: template, status: String(status) },
        count: 0,
        sum: 0,
        perBucket: new Float64Array(this.bounds.length + 1),
      };
      table.set(key, series);
      this.all.push(series);
    }
    series.count++;
    series.sum += seconds;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]) i++;
    series.perBucket[i]++;
  }

  private metric(name: string, help: string, type: 'counter' | 'histogram'): RegistryMetric {
    const exported = (): Exported => ({
      name,
      help,
      type,
      aggregator: 'sum',
      values: type === 'counter' ? this.counterValues() : this.histogramValues(name),
    });
    return {
      name,
      help,
      type,
      aggregator: 'sum',
      getForPromString: () => Promise.resolve(exported()),
      // The JSON form (registry.getMetricsAsJSON) carries every label in `labels`, as prom-client's.
      get: () => {
        const data = exported();
        data.values = data.values.map(({ sharedLabels, ...value }) => ({
          ...value,
          labels: { ...value.labels, ...sharedLabels },
        }));
        return Promise.resolve(data);
      },
      reset: () => this.reset(),
    };
  }

  private counterValues(): Exported['values'] {
    return this.all.map((s) => ({ value: s.count, labels: { ...s.labels } }));
  }

  private histogramValues(name: string): Exported['values'] {
    const values: Exported['values'] = [];
    for (const s of this.all) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.perBucket[i];
        values.push({
          labels: { le },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: `${name}_bucket`,
          exemplar: null,
        });
      });
      values.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: s.labels,
          value: s.count,
          metricName: `${name}_bucket`,
          exemplar: null,
        },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count` },
      );
    }
    return values;
  }

  /** As prom-client's `reset()`: every series gone. */
  private reset(): void {
    this.all.length = 0;
    this.unmatched.clear();
    this.byRoute = new WeakMap();
  }
}

const REQUESTS_HELP = 'HTTP requests answered, by method, route template and status.';
const DURATION_HELP = 'Time to answer an HTTP request, by method, route template and status.';
