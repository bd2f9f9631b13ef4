import { describe, expect, it } from 'vitest';
import { levelOf, levelsOf } from './Histogram';

const BANDS = { low: 25, medium: 45.5, high: 75, critical: 90 };

describe("the histogram's levels", () => {
  it('puts a score at a cut-off in the level it starts', () => {
    expect(levelOf(24.99, BANDS)).toBe('minimal');
    expect(levelOf(25, BANDS)).toBe('low');
    expect(levelOf(100, BANDS)).toBe('critical');
  });

  it('names both levels of a bin a cut-off falls inside', () => {
    expect(levelsOf(45, 1, BANDS)).toBe('low to medium');
    expect(levelsOf(46, 1, BANDS)).toBe('medium');
    expect(levelsOf(74, 1, BANDS)).toBe('medium');
    expect(levelsOf(99, 1, BANDS)).toBe('critical');
  });
});
