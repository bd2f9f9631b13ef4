import { ObservationsModule } from '@app/modules/observations/observations.module';
import { Module } from '@nestjs/common';
import { ChangeRequestsService } from '@app/modules/changes/change-requests.service';
import { ChangeScheduler } from '@app/modules/changes/change-scheduler.service';
import { ChangeRequestsController } from '@app/modules/changes/http/change-requests.controller';
import { RestoreController } from '@app/modules/changes/http/restore.controller';

/** Change management (CONTRACT §7); its store comes with the threshold store (ThresholdStorageModule). */
@Module({
  // Impact analysis weighs each revision sent to review (CONTRACT §8.3).
  imports: [ObservationsModule],
  controllers: [ChangeRequestsController, RestoreController],
  providers: [ChangeRequestsService, ChangeScheduler],
  // The import endpoint proposes an import as a change request.
  exports: [ChangeRequestsService],
})
export class ChangesModule {}
