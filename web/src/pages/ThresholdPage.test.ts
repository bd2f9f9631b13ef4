import { describe, expect, it } from 'vitest';
import { appliesTo, changeLines } from './ThresholdPage';

describe("a threshold's page in words", () => {
  it('says which cases a threshold applies to', () => {
    const base = { category: 'financial' as const, priority: 5, is_default: false };
    expect(appliesTo({ ...base, industry_code: '52', business_type: null })).toBe(
      'Applies to financial cases whose industry code starts with 52, any business type; priority 5.',
    );
    expect(appliesTo({ ...base, industry_code: null, business_type: null, is_default: true })).toBe(
      "Applies to financial cases that no more specific threshold matches (the category's default).",
    );
  });

  it('lists an update as differences, a create as what it was made with', () => {
    expect(
      changeLines({
        risk_levels: {
          from: { low: 25, medium: 50, high: 75, critical: 90 },
          to: { low: 25, medium: 55, high: 70, critical: 90 },
        },
        name: { from: 'A', to: 'B' },
      }),
    ).toEqual(['medium 50 → 55', 'high 75 → 70', 'name: A → B']);
    expect(
      changeLines({
        name: { from: null, to: 'Credit unions' },
        description: { from: null, to: null },
        risk_levels: { from: null, to: { low: 25, medium: 50, high: 75, critical: 90 } },
      }),
    ).toEqual(['name: Credit unions', 'bands 25 / 50 / 75 / 90']);
  });
});
