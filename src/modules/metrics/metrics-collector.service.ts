import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance } from 'fastify';
import type { Counter, Gauge } from 'prom-client';
import { AppConfig } from '@app/modules/config/app-config';
import { DatabaseService } from '@app/modules/database/database.service';
import { StorageStatus } from '@app/modules/health/storage-status.service';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import { HttpRequestMetrics } from '@app/modules/metrics/http-request-metrics';
import { EdgePipeline } from '@app/modules/http/edge/edge-pipeline';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';

/** Label of requests that matched no route: unknown paths collapse to one series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Observability at the boundary: the edge pipeline's `metrics` step records every HTTP answer with
 * the route template as label, and `collect()` reads the state gauges at scrape time.
 */
@Injectable()
export class MetricsCollector implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly catalog: ThresholdCatalog,
    private readonly storage: StorageStatus,
    private readonly config: AppConfig,
    private readonly http: HttpRequestMetrics,
    @InjectMetric(METRIC.dbPool) private readonly pool: Gauge<'state'>,
    @InjectMetric(METRIC.dbPoolErrors) private readonly poolErrors: Counter,
    @InjectMetric(METRIC.thresholds) private readonly thresholds: Gauge<'category' | 'active'>,
    @InjectMetric(METRIC.storageDegraded) private readonly degraded: Gauge,
    @Optional() private readonly database?: DatabaseService,
  ) {}

  onModuleInit(): void {
    if (!this.config.metrics.http) return;
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    EdgePipeline.of(instance).onResponse('metrics', (request, reply, route) =>
      this.http.record(
        route,
        request.method,
        route?.url ?? UNMATCHED_ROUTE,
        reply.statusCode,
        reply.elapsedTime / 1000,
      ),
    );
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
