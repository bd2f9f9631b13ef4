import type { Provider } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { Registry } from 'prom-client';

/** Buckets for a fast API: from 1 ms to 5 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Metric names (CONTRACT §5). */
export const METRIC = {
  httpRequests: 'http_requests_total',
  httpDuration: 'http_request_duration_seconds',
  dbQueryDuration: 'db_query_duration_seconds',
  dbPool: 'db_pool_connections',
  dbPoolErrors: 'db_pool_errors_total',
  thresholds: 'risk_thresholds',
  classifications: 'risk_classifications_total',
  storageDegraded: 'storage_degraded',
  rateLimitRejections: 'rate_limit_rejections_total',
  changeRequests: 'risk_change_requests',
  changeRequestsApplied: 'risk_change_requests_applied_total',
  changeRequestFailures: 'risk_change_request_failures_total',
  scorePendingKeys: 'risk_score_observations_pending_keys',
  scoreFlushed: 'risk_score_observations_flushed_total',
  scoreDropped: 'risk_score_observations_dropped_total',
  scoreFlushDuration: 'risk_score_flush_duration_seconds',
  scoreFlushFailures: 'risk_score_flush_failures_total',
  scoreFlushFailing: 'risk_score_flush_failing',
  signIns: 'risk_sign_ins_total',
} as const;

/**
 * Every metric the service exports, defined in one place, registered in the application's own
 * registry (a fresh one per application instance). Gauges that mirror state (pool, thresholds,
 * degraded) are read at scrape time by the `MetricsCollector`.
 */
export function metricProviders(registry: Registry): Provider[] {
  const registers = [registry];
  return [
    makeHistogramProvider({
      name: METRIC.dbQueryDuration,
      help: 'Time of a store operation against PostgreSQL, by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    makeGaugeProvider({
      name: METRIC.dbPool,
      help: 'Database pool connections by state (total, idle, waiting clients, max).',
      labelNames: ['state'],
      registers,
    }),
    makeCounterProvider({
      name: METRIC.dbPoolErrors,
      help: 'Errors reported by the database pool (connections lost while idle).',
      registers,
    }),
    makeGaugeProvider({
      name: METRIC.thresholds,
      help: 'Thresholds held in the catalog, by category and active state.',
      labelNames: ['category', 'active'],
      registers,
    }),
    makeCounterProvider({
      name: METRIC.classifications,
      help: 'Scores classified, by category and level.',
      labelNames: ['category', 'level'],
      registers,
    }),
    makeGaugeProvider({
      name: METRIC.storageDegraded,
      help: '1 while the database is unreachable and answers come from the snapshot, else 0.',
      registers,
    }),
    makeCounterProvider({
      name: METRIC.signIns,
      help: 'Sign-ins by method (oidc, api_key) and outcome (ok, refused, unavailable).',
      labelNames: ['method', 'outcome'],
      registers,
    }),
    makeCounterProvider({
      name: METRIC.rateLimitRejections,
      help: 'Requests rejected by rate limiting (429).',
      registers,
    }),
    makeGaugeProvider({
      name: METRIC.changeRequests,
      help: 'Change requests in the store, by state (refreshed by each replica every CHANGE_SCHEDULER_INTERVAL_MS).',
      labelNames: ['state'],
      registers,
    }),
    makeCounterProvider({
      name: METRIC.changeRequestsApplied,
      help: 'Change requests this replica applied, by mode (manual, scheduled, emergency).',
      labelNames: ['mode'],
      registers,
    }),
    makeCounterProvider({
      name: METRIC.changeRequestFailures,
      help: 'Scheduled change requests this replica could not apply (a base moved): the request is failed.',
      registers,
    }),
    makeGaugeProvider({
      name: METRIC.scorePendingKeys,
      help: 'Distinct score observation keys held in memory, waiting for the next flush (at most SCORE_CAPTURE_MAX_KEYS).',
      registers,
    }),
    makeCounterProvider({
      name: METRIC.scoreFlushed,
      help: 'Score observations this replica added to the store.',
      registers,
    }),
    makeCounterProvider({
      name: METRIC.scoreDropped,
      help: 'Score observations not kept because SCORE_CAPTURE_MAX_KEYS distinct keys were already held.',
      registers,
    }),
    makeHistogramProvider({
      name: METRIC.scoreFlushDuration,
      help: 'Time to add one interval of score counts to the store.',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    makeCounterProvider({
      name: METRIC.scoreFlushFailures,
      help: 'Flushes of score counts that failed (the counts are kept for the next one).',
      registers,
    }),
    makeGaugeProvider({
      name: METRIC.scoreFlushFailing,
      help: '1 while the last flush of score counts failed, else 0.',
      registers,
    }),
  ];
}
