import { describe, expect, it } from 'vitest';
import { inWords, parseScore } from './Classify';

describe('a score as typed', () => {
  it.each([
    ['55', 55],
    ['55.5', 55.5],
    ['55,5', 55.5],
    [' 0 ', 0],
    ['100', 100],
  ])('%s is %s', (typed, score) => {
    expect(parseScore(typed)).toBe(score);
  });

  it.each(['', '1,000', '-1', '101', '5e1', '55.', 'abc', '1.2.3'])('%s is refused with a reason', (typed) => {
    expect(typeof parseScore(typed)).toBe('string');
  });
});

describe('the match explanation', () => {
  it("says it in an analyst's words", () => {
    expect(inWords("most specific active match: industry_code prefix '52', any business_type, priority 0")).toBe(
      'most specific active match: industry code starts with 52, any business type, priority 0',
    );
    expect(
      inWords("category 'other' has no matching threshold and no active default; using the built-in bands 25/50/75/90"),
    ).toBe('other has no matching threshold and no active default; using the built-in bands 25/50/75/90');
  });
});
