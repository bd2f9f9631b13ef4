import type { Classification } from '@app/modules/thresholds/classification.service';
import type { MatchResult } from '@app/modules/thresholds/domain/matching';
import type { ThresholdPage } from '@app/modules/thresholds/catalog/catalog-snapshot';
import { encodeCursor } from '@app/modules/thresholds/http/cursor';
import { toThresholdResponse } from '@app/modules/thresholds/http/threshold.mapper';

export function toPageResponse(page: ThresholdPage): {
  thresholds: ReturnType<typeof toThresholdResponse>[];
  count: number;
  next_cursor: string | null;
} {
  const last = page.items[page.items.length - 1];
  return {
    thresholds: page.items.map(toThresholdResponse),
    count: page.items.length,
    next_cursor: page.hasMore && last ? encodeCursor(last) : null,
  };
}

export function toMatchResponse(result: MatchResult): Record<string, unknown> {
  return {
    threshold_id: result.threshold?.id ?? null,
    source: result.source,
    risk_levels: { ...result.riskLevels },
    threshold: result.threshold ? toThresholdResponse(result.threshold) : null,
    reason: result.reason,
  };
}

export function toClassificationResponse(c: Classification): Record<string, unknown> {
  return {
    score: c.request.score,
    level: c.level,
    category: c.request.category,
    threshold_id: c.match.threshold?.id ?? null,
    threshold_version: c.match.threshold?.version ?? null,
    source: c.match.source,
    risk_levels: { ...c.match.riskLevels },
  };
}
