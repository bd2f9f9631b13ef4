import {
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig } from '@app/modules/config/app-config';
import { DatabaseService } from '@app/modules/database/database.service';
import { SnapshotFile } from '@app/modules/thresholds/catalog/snapshot-file';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import { UnavailableError } from '@app/modules/thresholds/domain/errors';
import { ThresholdChangeFeed, type ThresholdChange } from '@app/modules/thresholds/persistence/change-feed';
import { IDEMPOTENCY_TTL_MS, ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';

/** More changed ids than this in one batch: reload everything instead of reading them. */
const ROW_BY_ROW_LIMIT = 50;

/**
 * Keeps the catalog equal to the store: loads it at start (and keeps trying while the store is
 * unavailable), applies change notifications from other replicas, resyncs after the database or
 * the change feed comes back, and every `CATALOG_RESYNC_INTERVAL_MS` compares the store's
 * revision, reloading only when it moved (heals missed notifications).
 */
@Injectable()
export class CatalogSync implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CatalogSync');
  private revision: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending = new Map<string, number>();
  private flushScheduled = false;
  private syncing: Promise<void> | undefined;
  private resyncAgain = false;
  private readonly snapshotFile: SnapshotFile | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: ThresholdRepository,
    private readonly catalog: ThresholdCatalog,
    private readonly feed: ThresholdChangeFeed,
    private readonly config: AppConfig,
    @Optional() private readonly database?: DatabaseService,
  ) {
    this.snapshotFile = config.catalog.snapshotPath ? new SnapshotFile(config.catalog.snapshotPath) : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.feed.subscribe({ onChange: (change) => this.changed(change), onReconnect: () => void this.resync(true) });
    this.database?.events.on('up', () => void this.resync(true));
    await this.resync(true);
    if (!this.catalog.loaded) await this.warmStart();
    if (!this.catalog.loaded) {
      this.logger.warn('thresholds not loaded yet (store unavailable); not ready until they are');
    }
    this.timer = setInterval(() => void this.tick(), this.config.catalog.resyncIntervalMs);
    this.timer.unref();
  }

  /** Before any connection closes (the pool, an embedded server): stop resyncing and listening. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.saveTimer) clearTimeout(this.saveTimer);
    await this.feed.close();
  }

  private async tick(): Promise<void> {
    await this.resync(false);
    // Housekeeping on the same clock: forget Idempotency-Keys past their 24 h.
    await this.repository.forgetIdempotencyKeys(new Date(Date.now() - IDEMPOTENCY_TTL_MS)).catch(() => undefined);
  }

  /**
   * Reloads the catalog when the store's revision moved (always when `force`). Concurrent calls
   * coalesce: one runs, and one more follows if asked for meanwhile.
   */
  async resync(force: boolean): Promise<void> {
    if (this.syncing) {
      this.resyncAgain ||= force;
      return this.syncing;
    }
    this.syncing = this.load(force).finally(() => {
      this.syncing = undefined;
      if (this.resyncAgain) {
        this.resyncAgain = false;
        void this.resync(true);
      }
    });
    return this.syncing;
  }

  private async load(force: boolean): Promise<void> {
    try {
      const revision = await this.repository.revision();
      if (!force && this.catalog.loaded && revision === this.revision) return;
      const all = await this.repository.findAll();
      const first = !this.catalog.loaded;
      this.catalog.replaceAll(all);
      this.revision = revision;
      if (first) this.logger.log(`thresholds loaded: ${all.length}`);
      this.scheduleSave();
    } catch (error) {
      if (!(error instanceof UnavailableError)) {
        this.logger.error({
          msg: 'catalog resync failed',
          err: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** Serves the last saved snapshot (stale) when the store is unreachable at start. */
  private async warmStart(): Promise<void> {
    const saved = await this.snapshotFile?.load();
    if (!saved || this.catalog.loaded) return;
    this.catalog.replaceAll(saved.thresholds);
    this.logger.warn(
      `store unavailable: serving ${saved.thresholds.length} thresholds from the snapshot saved ${saved.savedAt.toISOString()} (stale until the store returns)`,
    );
  }

  /** Writes the snapshot file a little after the catalog settles (one write per burst of changes). */
  private scheduleSave(): void {
    if (!this.snapshotFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      const snapshot = this.catalog.peek();
      if (!snapshot) return;
      this.snapshotFile?.save(snapshot.ordered).catch((error: unknown) =>
        this.logger.error({
          msg: 'snapshot file not written',
          err: error instanceof Error ? error.message : String(error),
        }),
      );
    }, 1000);
    this.saveTimer.unref();
  }

  private changed(change: ThresholdChange): void {
    // A version this replica already holds (its own write, typically) needs no re-read.
    const held = this.catalog.versionOf(change.id);
    if (change.version === 0 ? held === 0 : held >= change.version) return;
    this.pending.set(change.id, Math.max(change.version, this.pending.get(change.id) ?? 0));
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Coalesce a burst of notifications (an import, a busy writer elsewhere) into one read.
    setTimeout(() => void this.flush(), 5).unref();
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const ids = [...this.pending.keys()];
    this.pending.clear();
    if (ids.length > ROW_BY_ROW_LIMIT || !this.catalog.loaded) return this.resync(true);
    try {
      const stored = new Map((await this.repository.findByIds(ids)).map((t) => [t.id, t]));
      for (const id of ids) {
        const t = stored.get(id);
        if (t) this.catalog.upsert(t);
        else this.catalog.remove(id);
      }
      this.scheduleSave();
    } catch {
      // Store unavailable: the resync after it returns picks the change up.
    }
  }
}
