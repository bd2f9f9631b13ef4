import { describe, expect, it } from 'vitest';
import { couldApplyTo, filtersFrom, queryOf } from './Thresholds';

describe("the thresholds list's filters in the address", () => {
  it('round-trips every filter, leaving defaults out', () => {
    const query = '?category=financial&industry=5221&apply=1&type=bank&active=all&q=credit&order=priority';
    const filters = filtersFrom(new URLSearchParams(query));
    expect(filters).toEqual({
      category: 'financial',
      industry: '5221',
      couldApply: true,
      businessType: 'bank',
      activeOnly: false,
      search: 'credit',
      order: 'priority',
    });
    expect(queryOf(filters)).toBe(query);
    expect(queryOf(filtersFrom(new URLSearchParams('')))).toBe('');
  });

  it('reads an unknown order as the matching order', () => {
    expect(filtersFrom(new URLSearchParams('?order=evil')).order).toBe('matching');
  });
});

describe('"could apply to this code"', () => {
  it("keeps thresholds whose industry code is a prefix of the case's, and those for any industry", () => {
    expect(couldApplyTo('5221', { industry_code: '52' })).toBe(true);
    expect(couldApplyTo('5221', { industry_code: '5221' })).toBe(true);
    expect(couldApplyTo('5221', { industry_code: null })).toBe(true);
    expect(couldApplyTo('5221', { industry_code: '53' })).toBe(false);
    expect(couldApplyTo('52', { industry_code: '5221' })).toBe(false);
  });
});
