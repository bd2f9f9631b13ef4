import { Injectable } from '@nestjs/common';
import type { Classification, ClassifyRequest } from '@app/modules/thresholds/classification.service';
import { classify } from '@app/modules/thresholds/domain/classification';
import { ValidationError } from '@app/modules/thresholds/domain/errors';
import { matchThreshold } from '@app/modules/thresholds/domain/matching';
import { catalogAsOf } from '@app/modules/thresholds/domain/versions';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';

/**
 * "What level would this score have had then?" (CONTRACT §7.4): the catalog as it stood at an
 * instant, rebuilt from the store and its audit trail, matched and classified by the same domain
 * code as the live path. Not counted as a classification: it decides nothing.
 */
@Injectable()
export class PastClassificationService {
  constructor(private readonly repository: ThresholdRepository) {}

  async classifyAsOf(request: ClassifyRequest, asOf: Date, now = new Date()): Promise<Classification> {
    if (asOf.getTime() > now.getTime()) {
      throw new ValidationError([
        {
          field: '/as_of',
          message: 'must not be in the future: only past decisions can be reproduced',
          code: 'out_of_range',
        },
      ]);
    }
    const { stored, trails } = await this.repository.storedWithTrailsSince(asOf);
    const match = matchThreshold(catalogAsOf(stored, trails, asOf), request);
    return { request, level: classify(request.score, match.riskLevels), match };
  }
}
