import { EventEmitter } from 'node:events';
import { HealthIndicatorService } from '@nestjs/terminus';
import { loadConfig } from '@app/modules/config/app-config';
import type { DatabaseService } from '@app/modules/database/database.service';
import { CHECK_TIMEOUT_MS, HealthReportService } from '@app/modules/health/health-report.service';
import { LifecycleService } from '@app/modules/health/lifecycle.service';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import { seedThresholds } from '@app/modules/thresholds/domain/seed';

function fakeDatabase(query: () => Promise<unknown>, available = true): DatabaseService {
  return {
    available,
    source: { query },
    poolStats: () => ({ total: 2, idle: 1, waiting: 0, max: 10 }),
    config: { poolMaxWaiting: 10 },
    events: new EventEmitter(),
  } as unknown as DatabaseService;
}

describe('HealthReportService', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://db/risk' });
  const loaded = (): ThresholdCatalog => {
    const catalog = new ThresholdCatalog();
    catalog.replaceAll(seedThresholds(new Date()));
    return catalog;
  };

  it('is ok with the database answering, and reports counts', async () => {
    const report = new HealthReportService(
      new HealthIndicatorService(),
      loaded(),
      new LifecycleService(),
      config,
      fakeDatabase(async () => [{ '?column?': 1 }]),
    );
    const doc = await report.detailed();
    expect(doc).toMatchObject({
      status: 'ok',
      storage: 'postgres',
      checks: {
        database: { status: 'up', pool: { total: 2, idle: 1, waiting: 0, max: 10 } },
        redis: 'not_configured',
        thresholds: { status: 'up', total: 9, active: 9, by_category: { financial: 2, regulatory: 3 } },
        lifecycle: 'running',
      },
    });
  });

  it('answers within its bound when the database hangs, as degraded with reason timeout', async () => {
    const report = new HealthReportService(
      new HealthIndicatorService(),
      loaded(),
      new LifecycleService(),
      config,
      fakeDatabase(() => new Promise(() => undefined)),
    );
    const started = performance.now();
    const doc = await report.detailed();
    const took = performance.now() - started;
    expect(took).toBeLessThan(CHECK_TIMEOUT_MS + 250);
    expect(doc.status).toBe('degraded');
    expect(doc.checks.database).toMatchObject({ status: 'down', reason: 'timeout' });
  });

  it('does not touch the database while the breaker is open, and never reveals the error', async () => {
    const query = jest.fn(() => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:5432')));
    const open = new HealthReportService(
      new HealthIndicatorService(),
      loaded(),
      new LifecycleService(),
      config,
      fakeDatabase(query, false),
    );
    expect((await open.detailed()).checks.database).toMatchObject({ status: 'down', reason: 'unavailable' });
    expect(query).not.toHaveBeenCalled();
    const failing = new HealthReportService(
      new HealthIndicatorService(),
      loaded(),
      new LifecycleService(),
      config,
      fakeDatabase(query),
    );
    const doc = await failing.detailed();
    // What was observed, in words of its own, with what to do: never the driver's message.
    expect(doc.checks.database).toMatchObject({ status: 'down', reason: 'refused', hint: expect.any(String) });
    expect(JSON.stringify(doc)).not.toMatch(/ECONNREFUSED|10\.0\.0\.7/);
  });

  it('is down when thresholds are not loaded or the process is shutting down', async () => {
    const notLoaded = new HealthReportService(
      new HealthIndicatorService(),
      new ThresholdCatalog(),
      new LifecycleService(),
      config,
      fakeDatabase(async () => []),
    );
    expect((await notLoaded.detailed()).status).toBe('down');
    const lifecycle = new LifecycleService();
    lifecycle.beginShutdown();
    const draining = new HealthReportService(
      new HealthIndicatorService(),
      loaded(),
      lifecycle,
      config,
      fakeDatabase(async () => []),
    );
    expect((await draining.detailed()).status).toBe('down');
  });
});
