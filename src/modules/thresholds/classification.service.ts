import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { ScoreCapture } from '@app/modules/observations/capture/score-capture.service';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import { deferredCounter } from '@app/modules/metrics/deferred-counter';
import { classify } from '@app/modules/thresholds/domain/classification';
import type { MatchRequest, MatchResult } from '@app/modules/thresholds/domain/matching';
import type { CatalogSnapshot } from '@app/modules/thresholds/catalog/catalog-snapshot';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import type { Level } from '@app/modules/thresholds/domain/threshold';

export interface ClassifyRequest extends MatchRequest {
  score: number;
}

export interface Classification {
  request: ClassifyRequest;
  level: Level;
  match: MatchResult;
}

/** Answers "which bands apply, and what level is this score?" from the catalog: no I/O on this path. */
@Injectable()
export class ClassificationService {
  constructor(
    private readonly catalog: ThresholdCatalog,
    @InjectMetric(METRIC.classifications) classified: Counter<'category' | 'level'>,
    private readonly scores: ScoreCapture,
  ) {
    this.classifiedSeries = deferredCounter(classified);
  }

  private readonly classifiedSeries: (category: string, level: string) => { inc(): void };

  match(req: MatchRequest): MatchResult {
    return this.catalog.current().match(req);
  }

  classify(req: ClassifyRequest): Classification {
    return this.classifyAgainst(this.catalog.current(), req);
  }

  /** Classifies every item against one snapshot, so a batch sees one consistent state. */
  classifyBatch(items: readonly ClassifyRequest[]): Classification[] {
    const snapshot = this.catalog.current();
    return items.map((item) => this.classifyAgainst(snapshot, item));
  }

  private classifyAgainst(snapshot: CatalogSnapshot, req: ClassifyRequest): Classification {
    const match = snapshot.match(req);
    const level = classify(req.score, match.riskLevels);
    this.countOf(req.category, level).inc();
    this.scores.count(req);
    return { request: req, level, match };
  }

  /** The labelled series of (category, level), resolved once (a batch counts a thousand times). */
  private readonly counts = new Map<string, { inc: () => void }>();
  private countOf(category: string, level: string): { inc: () => void } {
    const key = `${category} ${level}`;
    let series = this.counts.get(key);
    if (!series) {
      series = this.classifiedSeries(category, level);
      this.counts.set(key, series);
    }
    return series;
  }
}
