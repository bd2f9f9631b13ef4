import { Module } from '@nestjs/common';
import { ScoreCapture } from '@app/modules/observations/capture/score-capture.service';
import { ScoreFlusher } from '@app/modules/observations/capture/score-flusher.service';
import { ObservationsController } from '@app/modules/observations/http/observations.controller';
import { ObservationsService } from '@app/modules/observations/observations.service';

/**
 * Score observations and impact analysis (CONTRACT §8). The store comes with the threshold store
 * (ThresholdStorageModule), the catalog from the global ThresholdsModule; the classify path counts
 * through ScoreCapture, change management weighs requests through ObservationsService.
 */
@Module({
  controllers: [ObservationsController],
  providers: [ScoreCapture, ScoreFlusher, ObservationsService],
  exports: [ScoreCapture, ObservationsService],
})
export class ObservationsModule {}
