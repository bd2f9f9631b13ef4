import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/modules/config/app-config';
import { ScoreCounter, type Counted } from '@app/modules/observations/capture/score-counter';

/**
 * The classify path's side of score capture (CONTRACT §8.1): counts each successful
 * classification in memory (no I/O, no await); the flusher takes the counts. Off with
 * SCORE_CAPTURE=false.
 */
@Injectable()
export class ScoreCapture {
  readonly counter: ScoreCounter;
  readonly enabled: boolean;

  constructor(config: AppConfig) {
    this.enabled = config.scores.capture;
    this.counter = new ScoreCounter(config.scores.maxKeys);
  }

  count(classified: Counted): void {
    if (this.enabled) this.counter.count(classified);
  }
}
