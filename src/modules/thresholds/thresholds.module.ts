import { Module } from '@nestjs/common';
import { ClassificationService } from '@app/modules/thresholds/classification.service';
import { AdminThresholdsController } from '@app/modules/thresholds/http/admin-thresholds.controller';
import { ClassificationController } from '@app/modules/thresholds/http/classification.controller';
import { ThresholdsController } from '@app/modules/thresholds/http/thresholds.controller';
import { TransferController } from '@app/modules/thresholds/http/transfer.controller';
import { ThresholdStorageModule } from '@app/modules/thresholds/persistence/threshold-storage.module';
import { ThresholdsService } from '@app/modules/thresholds/thresholds.service';
import { TransferService } from '@app/modules/thresholds/transfer.service';

@Module({
  imports: [ThresholdStorageModule.forRoot()],
  controllers: [ThresholdsController, ClassificationController, AdminThresholdsController, TransferController],
  providers: [ThresholdsService, ClassificationService, TransferService],
})
export class ThresholdsModule {}
