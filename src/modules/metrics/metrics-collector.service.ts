import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance } from 'fastify';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { AppConfig } from '@app/modules/config/app-config';
import { DatabaseService } from '@app/modules/database/database.service';
import { StorageStatus } from '@app/modules/health/storage-status.service';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';

/** Label of requests that matched no route: unknown paths collapse to one series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Observability at the boundary: one Fastify `onResponse` hook records every HTTP answer with
 * the route template as label, and `collect()` reads the state gauges at scrape time.
 */
@Injectable()
export class MetricsCollector implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly catalog: ThresholdCatalog,
    private readonly storage: StorageStatus,
    private readonly config: AppConfig,
    @InjectMetric(METRIC.httpRequests) private readonly requests: Counter<'method' | 'route' | 'status'>,
    @InjectMetric(METRIC.httpDuration) private readonly duration: Histogram<'method' | 'route' | 'status'>,
    @InjectMetric(METRIC.dbPool) private readonly pool: Gauge<'state'>,
    @InjectMetric(METRIC.dbPoolErrors) private readonly poolErrors: Counter,
    @InjectMetric(METRIC.thresholds) private readonly thresholds: Gauge<'category' | 'active'>,
    @InjectMetric(METRIC.storageDegraded) private readonly degraded: Gauge,
    @Optional() private readonly database?: DatabaseService,
  ) {}

  onModuleInit(): void {
    if (!this.config.metrics.http) return;
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // The labelled series of each (method, route, status), resolved once: prom-client hashes the
    // label set on every labelled call otherwise.
    const series = new Map<string, { count: () => void; observe: (seconds: number) => void }>();
    instance.addHook('onResponse', (request, reply, done) => {
      const method = request.method;
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      const status = reply.statusCode;
      const key = `${method} ${route} ${status}`;
      let one = series.get(key);
      if (!one) {
        const counter = this.requests.labels(method, route, String(status));
        const histogram = this.duration.labels(method, route, String(status));
        one = { count: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
        series.set(key, one);
      }
      one.count();
      one.observe(reply.elapsedTime / 1000);
      done();
    });
  }

  /** Brings the state gauges up to date; called before each scrape. */
  collect(): void {
    this.degraded.set(this.storage.degraded ? 1 : 0);
    if (this.database) {
      const stats = this.database.poolStats();
      for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.pool.set({ state }, stats[state]);
      this.poolErrors.reset();
      this.poolErrors.inc(this.database.poolErrors);
    }
    this.thresholds.reset();
    const snapshot = this.catalog.peek();
    if (snapshot) {
      const counts = new Map<string, number>();
      for (const t of snapshot.ordered) {
        const key = `${t.category}\u0000${String(t.isActive)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, n] of counts) {
        const [category, active] = key.split('\u0000');
        this.thresholds.set({ category, active }, n);
      }
    }
  }
}
