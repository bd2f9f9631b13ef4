import { ValidationError } from './errors';
import type { Level, RiskLevels } from './threshold';

/** Whether `score` is a number a threshold can classify: finite and within [0, 100]. */
export function isValidScore(score: unknown): score is number {
  return typeof score === 'number' && Number.isFinite(score) && score >= 0 && score <= 100;
}

/**
 * The level of `score` under `levels` (CONTRACT §2.1): each bound is the inclusive lower
 * bound of its level, bands are half-open `[lower, next)`.
 */
export function classify(score: number, levels: RiskLevels): Level {
  if (!isValidScore(score)) {
    throw new ValidationError([
      { field: '/score', message: 'must be a finite number between 0 and 100', code: 'out_of_range' },
    ]);
  }
  if (score >= levels.critical) return 'critical';
  if (score >= levels.high) return 'high';
  if (score >= levels.medium) return 'medium';
  if (score >= levels.low) return 'low';
  return 'minimal';
}
