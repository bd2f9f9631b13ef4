import { Injectable } from '@nestjs/common';
import { classify } from '@app/modules/thresholds/domain/classification';
import { matchThreshold, type MatchRequest, type MatchResult } from '@app/modules/thresholds/domain/matching';
import type { Level, Threshold } from '@app/modules/thresholds/domain/threshold';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';

export interface ClassifyRequest extends MatchRequest {
  score: number;
}

export interface Classification {
  request: ClassifyRequest;
  level: Level;
  match: MatchResult;
}

/** Answers "which bands apply, and what level is this score?" with the pure domain functions. */
@Injectable()
export class ClassificationService {
  constructor(private readonly repository: ThresholdRepository) {}

  async match(req: MatchRequest): Promise<MatchResult> {
    return matchThreshold(await this.repository.findAll(), req);
  }

  async classify(req: ClassifyRequest): Promise<Classification> {
    return this.classifyAgainst(await this.repository.findAll(), req);
  }

  /** Classifies every item against one read of the store, so a batch sees one consistent state. */
  async classifyBatch(items: readonly ClassifyRequest[]): Promise<Classification[]> {
    const thresholds = await this.repository.findAll();
    return items.map((item) => this.classifyAgainst(thresholds, item));
  }

  private classifyAgainst(thresholds: readonly Threshold[], req: ClassifyRequest): Classification {
    const match = matchThreshold(thresholds, req);
    return { request: req, level: classify(req.score, match.riskLevels), match };
  }
}
