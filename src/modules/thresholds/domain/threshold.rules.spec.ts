import { check, metadataSchema, scoreSchema, validateRiskLevels } from '@app/modules/thresholds/domain/threshold.rules';

describe('validateRiskLevels', () => {
  const valid = { low: 25, medium: 50, high: 75, critical: 90 };

  it('accepts ascending finite bounds within [0, 100], including 0 and 100', () => {
    expect(validateRiskLevels(valid)).toEqual([]);
    expect(validateRiskLevels({ low: 0, medium: 0.5, high: 99.5, critical: 100 })).toEqual([]);
  });

  it('reports a missing key', () => {
    expect(validateRiskLevels({ low: 25, medium: 50, high: 75 })).toEqual([
      { field: '/risk_levels/critical', message: 'is required', code: 'required' },
    ]);
  });

  it('reports an extra key', () => {
    expect(validateRiskLevels({ ...valid, severe: 95 })).toEqual([
      { field: '/risk_levels/severe', message: 'is not a known field', code: 'unknown_field' },
    ]);
  });

  it('reports equal values', () => {
    expect(validateRiskLevels({ ...valid, medium: 25 })).toEqual([
      { field: '/risk_levels/medium', message: 'must be greater than low (25)', code: 'not_ascending' },
    ]);
  });

  it('reports descending values, each out-of-order bound', () => {
    const violations = validateRiskLevels({ low: 90, medium: 75, high: 50, critical: 25 });
    expect(violations.map((v) => [v.field, v.code])).toEqual([
      ['/risk_levels/medium', 'not_ascending'],
      ['/risk_levels/high', 'not_ascending'],
      ['/risk_levels/critical', 'not_ascending'],
    ]);
  });

  it('reports a value below 0 and above 100', () => {
    expect(validateRiskLevels({ ...valid, low: -1 })).toEqual([
      { field: '/risk_levels/low', message: 'must be at least 0', code: 'out_of_range' },
    ]);
    expect(validateRiskLevels({ ...valid, critical: 100.5 })).toEqual([
      { field: '/risk_levels/critical', message: 'must be at most 100', code: 'out_of_range' },
    ]);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY], ['50'], [null]])(
    'reports a non-finite or non-number value %p',
    (bad) => {
      const violations = validateRiskLevels({ ...valid, high: bad });
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatchObject({ field: '/risk_levels/high', code: 'invalid_type' });
    },
  );

  it('reports a non-object', () => {
    for (const bad of [null, [], 'low', 5]) {
      expect(validateRiskLevels(bad)).toEqual([
        { field: '/risk_levels', message: 'must be an object with low, medium, high, critical', code: 'invalid_type' },
      ]);
    }
  });

  it('reports every problem at once', () => {
    const fields = validateRiskLevels({ low: -5, medium: 'x', extra: 1 }).map((v) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        '/risk_levels/low',
        '/risk_levels/medium',
        '/risk_levels/high',
        '/risk_levels/critical',
        '/risk_levels/extra',
      ]),
    );
  });
});

describe('scoreSchema', () => {
  it.each([[-0.1], [100.1], [Number.NaN], ['50'], [null]])('rejects %p', (score) => {
    expect(check(scoreSchema, score).ok).toBe(false);
  });
  it.each([[0], [100], [42.5]])('accepts %p', (score) => {
    expect(check(scoreSchema, score)).toEqual({ ok: true, value: score });
  });
});

describe('metadataSchema', () => {
  const nested = (depth: number): Record<string, unknown> => {
    let value: Record<string, unknown> = { leaf: true };
    for (let i = 1; i < depth; i++) value = { a: value };
    return value;
  };

  it('accepts objects up to 32 levels and 16 KiB', () => {
    expect(check(metadataSchema, nested(32)).ok).toBe(true);
  });

  it('refuses deeper nesting without recursing into it (no stack overflow at 100,000 levels)', () => {
    const result = check(metadataSchema, nested(100_000));
    expect(result).toMatchObject({ ok: false, violations: [{ code: 'too_deep' }] });
  });

  it('refuses more than 16 KiB', () => {
    expect(check(metadataSchema, { blob: 'x'.repeat(16 * 1024) })).toMatchObject({
      ok: false,
      violations: [{ code: 'too_large' }],
    });
  });
});
