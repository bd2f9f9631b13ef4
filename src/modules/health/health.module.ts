import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthReportService } from '@app/modules/health/health-report.service';
import { HealthController } from '@app/modules/health/health.controller';
import { LifecycleService } from '@app/modules/health/lifecycle.service';
import { StateHeadersHook } from '@app/modules/health/state-headers.hook';
import { StorageStatus } from '@app/modules/health/storage-status.service';

@Global()
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [LifecycleService, StorageStatus, StateHeadersHook, HealthReportService],
  exports: [LifecycleService, StorageStatus],
})
export class HealthModule {}
