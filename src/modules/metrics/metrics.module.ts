import { Global, Module, type DynamicModule } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Registry } from 'prom-client';
import { MetricsCollector } from '@app/modules/metrics/metrics-collector.service';
import { HttpRequestMetrics } from '@app/modules/metrics/http-request-metrics';
import { METRICS_REGISTRY, MetricsController } from '@app/modules/metrics/metrics.controller';
import { metricProviders } from '@app/modules/metrics/metrics.definitions';

const NON_CONFORMING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * Prometheus metrics (CONTRACT §5) in a registry of this application instance, so several
 * instances in one process (tests, replicas in a test) never clash; default process and Node.js
 * metrics included.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(): DynamicModule {
    const registry = new Registry();
    const metrics = metricProviders(registry);
    return {
      module: MetricsModule,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          controller: MetricsController,
          defaultMetrics: { enabled: true, config: { register: registry } },
        }),
      ],
      providers: [
        {
          provide: METRICS_REGISTRY,
          useFactory: (): Registry => {
            // prom-client's default gauges named *_total break the Prometheus naming rules
            // (`promtool check metrics`); the same values exist without the suffix, by type.
            for (const name of NON_CONFORMING_DEFAULTS) registry.removeSingleMetric(name);
            return registry;
          },
        },
        ...metrics,
        {
          provide: HttpRequestMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (registered: Registry) => new HttpRequestMetrics(registered),
        },
        MetricsCollector,
      ],
      exports: [METRICS_REGISTRY, ...metrics, MetricsCollector],
    };
  }
}
