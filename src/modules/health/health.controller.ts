import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthReportService, type DetailedHealth } from '@app/modules/health/health-report.service';
import { LifecycleService } from '@app/modules/health/lifecycle.service';
import { StorageStatus } from '@app/modules/health/storage-status.service';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import { Public } from '@app/modules/auth/auth.decorators';

/**
 * Probes. Liveness does no I/O (a database blip must not restart pods); readiness reads only
 * in-process state: thresholds loaded, not shutting down. A database outage with thresholds
 * loaded is ready but degraded (reads answer from the snapshot).
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly catalog: ThresholdCatalog,
    private readonly lifecycle: LifecycleService,
    private readonly storage: StorageStatus,
    private readonly report: HealthReportService,
  ) {}

  @Get()
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply): unknown {
    const checks = {
      thresholds: this.catalog.loaded ? 'loaded' : 'not_loaded',
      lifecycle: this.lifecycle.shuttingDown ? 'shutting_down' : 'running',
      storage: this.storage.degraded ? 'degraded' : 'ok',
    };
    const failing = [
      ...(this.catalog.loaded ? [] : ['thresholds']),
      ...(this.lifecycle.shuttingDown ? ['lifecycle'] : []),
    ];
    void reply.status(failing.length === 0 ? 200 : 503).header('cache-control', 'no-store');
    return { status: failing.length === 0 ? 'ready' : 'not_ready', failing, checks };
  }

  /** Every dependency, bounded; 503 when the service cannot answer (CONTRACT §3.4). */
  @Get('detailed')
  async detailed(@Res({ passthrough: true }) reply: FastifyReply): Promise<DetailedHealth> {
    const report = await this.report.detailed();
    void reply.status(report.status === 'down' ? 503 : 200).header('cache-control', 'no-store');
    return report;
  }
}
