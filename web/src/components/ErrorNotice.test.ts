import { describe, expect, it } from 'vitest';
import { fieldName } from './ErrorNotice';

describe("an invalid field's pointer in words", () => {
  it('names fields, and items by their place in the file (counted from 1)', () => {
    expect(fieldName('/industry_code')).toBe('industry code');
    expect(fieldName('/thresholds/3/risk_levels/high')).toBe('item 4, risk levels high');
    expect(fieldName('/0/id')).toBe('item 1, id');
    expect(fieldName('/items/0/base_version')).toBe('item 1, base version');
    expect(fieldName('/')).toBe('');
    expect(fieldName('')).toBe('');
  });
});
