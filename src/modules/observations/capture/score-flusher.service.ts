import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { AppConfig } from '@app/modules/config/app-config';
import { DatabaseService } from '@app/modules/database/database.service';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import { ScoreCapture } from '@app/modules/observations/capture/score-capture.service';
import { flatten } from '@app/modules/observations/capture/score-counter';
import { dayNumber, dayString, nextMonth } from '@app/modules/observations/domain/observation';
import { ObservationStore } from '@app/modules/observations/persistence/observation.store';

/**
 * Adds each interval's score counts to the store (CONTRACT §8.1): every SCORE_FLUSH_INTERVAL_MS,
 * and once more at shutdown after the HTTP server has closed (every answered classification is
 * counted by then) and before the database pool closes. A failed flush puts the counts back (within
 * the key bound) for the next one. Once a day, and at start, the retention job drops what is older
 * than SCORE_RETENTION_DAYS and prepares next month's storage.
 */
@Injectable()
export class ScoreFlusher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ScoreCapture');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastRetentionDay = -1;
  private retentionWarnedDay = -1;
  private reportedDropped = 0;
  private failing = false;

  constructor(
    private readonly capture: ScoreCapture,
    private readonly store: ObservationStore,
    private readonly config: AppConfig,
    @InjectMetric(METRIC.scorePendingKeys) private readonly pendingKeys: Gauge,
    @InjectMetric(METRIC.scoreFlushed) private readonly flushed: Counter,
    @InjectMetric(METRIC.scoreDropped) private readonly dropped: Counter,
    @InjectMetric(METRIC.scoreFlushDuration) private readonly duration: Histogram,
    @InjectMetric(METRIC.scoreFlushFailures) private readonly failures: Counter,
    @InjectMetric(METRIC.scoreFlushFailing) private readonly failingGauge: Gauge,
    @Optional() private readonly database?: DatabaseService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.capture.enabled) {
      this.logger.log('score capture: off (SCORE_CAPTURE=false)');
      return;
    }
    this.logger.log(
      `score capture: on, flushed every ${this.config.scores.flushIntervalMs} ms, at most ${this.config.scores.maxKeys} keys held, kept ${this.config.scores.retentionDays} days`,
    );
    this.timer = setInterval(() => void this.flush(), this.config.scores.flushIntervalMs);
    this.timer.unref();
    // With a database, the last flush must run before its pool closes.
    this.database?.beforeClose(() => this.finalFlush());
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.database) await this.finalFlush();
  }

  /** One flush (also called by tests); a flush asked for while one runs waits for it, then runs. */
  async flush(now = new Date()): Promise<void> {
    while (this.running) await this.running;
    this.running = this.flushOnce(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async finalFlush(): Promise<void> {
    clearInterval(this.timer);
    if (!this.capture.enabled) return;
    await this.flush();
    const left = this.capture.counter.pendingKeys;
    if (left > 0) this.logger.warn(`shutdown: ${left} score counts could not be stored (see the flush error above)`);
  }

  private async flushOnce(now: Date): Promise<void> {
    await this.retention(now);
    const counter = this.capture.counter;
    const started = performance.now();
    // The swap is O(1); flattening yields to requests between chunks.
    const observations = await flatten(counter.take());
    const count = observations.reduce((n, o) => n + o.count, 0);
    try {
      // All of an interval or none of it (one transaction): a retry never adds a batch twice.
      await this.store.add(observations);
      this.flushed.inc(count);
      if (this.failing) this.logger.log('score counts stored again');
      this.failing = false;
    } catch (error) {
      this.failures.inc();
      const reason = error instanceof Error ? error.message : String(error);
      if (rejectedData(error)) {
        // The database refuses these rows whatever the retry: keeping them would block every flush.
        counter.dropped += count;
        this.logger.error(`score counts refused by the database and dropped (${count} observations): ${reason}`);
      } else {
        await counter.restore(observations);
        if (!this.failing) {
          this.logger.warn(
            `could not store score counts (kept for the next flush, at most ${this.config.scores.maxKeys} keys): ${reason}`,
          );
        }
        this.failing = true;
      }
    } finally {
      if (observations.length > 0) this.duration.observe((performance.now() - started) / 1000);
      this.failingGauge.set(this.failing ? 1 : 0);
      this.pendingKeys.set(counter.pendingKeys);
      this.dropped.inc(counter.dropped - this.reportedDropped);
      this.reportedDropped = counter.dropped;
    }
  }

  /** Once a UTC day: drop what is older than the retention, prepare this month and the next. */
  private async retention(now: Date): Promise<void> {
    const today = dayNumber(now.getTime());
    if (today === this.lastRetentionDay) return;
    try {
      const cutoff = dayString(today - this.config.scores.retentionDays);
      const removed = await this.store.prune(cutoff);
      if (removed.length > 0) this.logger.log(`score retention: removed ${removed.join(', ')} (older than ${cutoff})`);
      const thisMonth = dayString(today).slice(0, 7);
      await this.store.prepare(`${thisMonth}-01`, `${nextMonth(thisMonth)}-01`);
      this.lastRetentionDay = today;
    } catch (error) {
      // Tried again at the next flush; said once a day.
      if (this.retentionWarnedDay !== today) {
        this.logger.warn(`score retention failed: ${error instanceof Error ? error.message : String(error)}`);
        this.retentionWarnedDay = today;
      }
    }
  }
}

/**
 * Whether PostgreSQL refused the rows themselves (SQLSTATE class 22, data exception, or 23,
 * integrity constraint violation): retrying the same rows cannot succeed.
 */
function rejectedData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
