import { Logger } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import type { DatabaseConfig } from '@app/modules/config/app-config';
import { APPLICATION_NAME } from '@app/modules/database/data-source.options';
import { ThresholdChangeFeed, type ThresholdChange } from '@app/modules/thresholds/persistence/change-feed';

/** The channel the `risk_thresholds` trigger notifies (migration 1795651200003), payload `<id>:<version>`. */
export const CHANGE_CHANNEL = 'risk_threshold_changes';

const RECONNECT_START_MS = 200;
const RECONNECT_MAX_MS = 2000;

/**
 * LISTENs on a dedicated connection (outside the pool) and reconnects by itself with backoff.
 * Notifications are sent by a trigger in the same transaction as the write, so they arrive only
 * for committed changes. After a reconnect, `onReconnect` lets the catalog resync what it missed.
 */
export class PgChangeFeed extends ThresholdChangeFeed {
  private readonly logger = new Logger('ChangeFeed');
  private client: Client | undefined;
  private handlers: { onChange: (change: ThresholdChange) => void; onReconnect: () => void } | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private connectedOnce = false;

  constructor(private readonly db: DatabaseConfig) {
    super();
  }

  subscribe(handlers: { onChange: (change: ThresholdChange) => void; onReconnect: () => void }): void {
    this.handlers = handlers;
    void this.connect(RECONNECT_START_MS);
  }

  /** Whether the LISTEN connection is up. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Drops the LISTEN connection as a network cut would (tests and operators). It reconnects by itself. */
  cut(): void {
    this.client?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(delayMs: number): Promise<void> {
    if (this.closed) return;
    const client = new Client({
      connectionString: this.db.url,
      connectionTimeoutMillis: this.db.connectTimeoutMs,
      application_name: `${APPLICATION_NAME}:listener`,
      keepAlive: true,
    });
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      if (!this.closed) {
        this.logger.warn(`change feed lost${error ? ` (${error.message})` : ''}; reconnecting`);
        this.schedule(RECONNECT_START_MS);
      }
      client.end().catch(() => undefined);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n: Notification) => {
      const match = n.channel === CHANGE_CHANNEL ? /^([0-9a-f-]{36}):(\d+)$/.exec(n.payload ?? '') : null;
      if (match) this.handlers?.onChange({ id: match[1], version: Number(match[2]) });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      if (this.connectedOnce) this.handlers?.onReconnect();
      this.connectedOnce = true;
    } catch {
      lost = true;
      client.end().catch(() => undefined);
      this.schedule(Math.min(delayMs * 2, RECONNECT_MAX_MS));
    }
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(delayMs), delayMs);
    this.timer.unref();
  }
}
