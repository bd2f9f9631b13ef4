import { classify, isValidScore } from '@app/modules/thresholds/domain/classification';
import { ValidationError } from '@app/modules/thresholds/domain/errors';
import type { RiskLevels } from '@app/modules/thresholds/domain/threshold';

describe('classify', () => {
  const levels: RiskLevels = { low: 25, medium: 50, high: 75, critical: 90 };

  it.each([
    [0, 'minimal'],
    [24.999, 'minimal'],
    [25, 'low'],
    [49.99, 'low'],
    [50, 'medium'],
    [74.9, 'medium'],
    [75, 'high'],
    [89.999999, 'high'],
    [90, 'critical'],
    [100, 'critical'],
  ])('score %p is %p (each bound is the inclusive lower bound of its level)', (score, level) => {
    expect(classify(score, levels)).toBe(level);
  });

  it('puts 0 in low when low is 0 (no minimal band), and 100 in critical when critical is 100', () => {
    const edge: RiskLevels = { low: 0, medium: 10, high: 20, critical: 100 };
    expect(classify(0, edge)).toBe('low');
    expect(classify(99.99, edge)).toBe('high');
    expect(classify(100, edge)).toBe('critical');
  });

  it.each([[-0.1], [100.1], [Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]])(
    'rejects score %p with a ValidationError on /score',
    (score) => {
      expect(() => classify(score, levels)).toThrow(ValidationError);
      try {
        classify(score, levels);
      } catch (error) {
        expect((error as ValidationError).violations[0].field).toBe('/score');
      }
    },
  );

  it('rejects a string score', () => {
    expect(() => classify('50' as unknown as number, levels)).toThrow(ValidationError);
    expect(isValidScore('50')).toBe(false);
    expect(isValidScore(null)).toBe(false);
    expect(isValidScore(50)).toBe(true);
  });
});
