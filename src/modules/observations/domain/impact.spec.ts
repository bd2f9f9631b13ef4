import { impactOf } from '@app/modules/observations/domain/impact';
import { matchThreshold } from '@app/modules/thresholds/domain/matching';
import { aThreshold } from '@test/support/builders';

describe('impactOf: near cut-offs', () => {
  it('counts the cases within 1 point of each new cut-off exactly, in hundredths (32.02 - 1 is not 31.02 on doubles)', () => {
    const before = aThreshold({
      category: 'cybersecurity',
      riskLevels: { low: 20, medium: 40, high: 70, critical: 85 },
    });
    const after = { ...before, riskLevels: { low: 31.01, medium: 32.02, high: 70, critical: 85 } };
    const observations = [3201, 3102, 3000, 3202].map((score) => ({
      category: 'cybersecurity' as const,
      industryCode: '5497',
      businessType: '',
      score,
      count: 1,
    }));
    const report = impactOf(
      (req) => matchThreshold([before], req),
      (req) => matchThreshold([after], req),
      observations,
      [{ before, after }],
    );
    const near = Object.fromEntries(report.nearCutoffs.map((n) => [n.level, [n.within1Below, n.within1Above]]));
    // low 31.01: below [30.01, 31.01) holds 30.00? no; above [31.01, 32.01) holds 31.02 only.
    // medium 32.02: below [31.02, 32.02) holds 31.02 and 32.01; above [32.02, 33.02) holds 32.02.
    expect(near).toMatchObject({ low: [0, 1], medium: [2, 1] });
  });
});
