import { matchThreshold, type MatchRequest } from '@app/modules/thresholds/domain/matching';
import { seedThresholds } from '@app/modules/thresholds/domain/seed';
import { BUILTIN_RISK_LEVELS, type Threshold } from '@app/modules/thresholds/domain/threshold';
import { aThreshold } from '@test/support/builders';

const SEED = seedThresholds(new Date('2026-01-01T00:00:00Z'));
const byName = (name: string): Threshold => SEED.find((t) => t.name.startsWith(name)) as Threshold;

describe('matchThreshold on the seed data', () => {
  it('financial/5221 picks the industry-52 threshold (prefix match)', () => {
    const result = matchThreshold(SEED, { category: 'financial', industryCode: '5221' });
    expect(result.threshold?.id).toBe(byName('Financial - finance').id);
    expect(result.source).toBe('match');
    expect(result.riskLevels).toEqual({ low: 30, medium: 55, high: 80, critical: 90 });
    expect(result.reason).toContain("industry_code prefix '52'");
  });

  it('financial/99 picks the financial default', () => {
    const result = matchThreshold(SEED, { category: 'financial', industryCode: '99' });
    expect(result.threshold?.id).toBe(byName('Financial default').id);
    expect(result.source).toBe('default');
  });

  it('financial without an industry never picks an industry threshold', () => {
    expect(matchThreshold(SEED, { category: 'financial' }).threshold?.id).toBe(byName('Financial default').id);
  });

  it('regulatory/6211 picks the priority-10 industry-62 threshold; regulatory/52 the industry-52 one', () => {
    expect(matchThreshold(SEED, { category: 'regulatory', industryCode: '6211' }).threshold?.id).toBe(
      byName('Regulatory - health').id,
    );
    expect(matchThreshold(SEED, { category: 'regulatory', industryCode: '52' }).threshold?.id).toBe(
      byName('Regulatory - finance').id,
    );
  });

  it('a category with no thresholds falls back to the built-in bands', () => {
    const result = matchThreshold(SEED, { category: 'strategic', industryCode: '52' });
    expect(result).toMatchObject({ threshold: null, source: 'builtin', riskLevels: BUILTIN_RISK_LEVELS });
  });

  it('gives the same answer on every call and whatever the input order', () => {
    const req: MatchRequest = { category: 'cybersecurity', industryCode: '5415' };
    const first = matchThreshold(SEED, req);
    for (let i = 0; i < 20; i++) {
      const shuffled = [...SEED].sort(() => Math.random() - 0.5);
      expect(matchThreshold(shuffled, req).threshold?.id).toBe(first.threshold?.id);
    }
    expect(first.threshold?.id).toBe(byName('Cybersecurity - information').id);
  });
});

describe('matchThreshold ordering', () => {
  const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const base = { category: 'operational' as const, createdAt: at(0), updatedAt: at(0) };

  function winner(
    candidates: Threshold[],
    req: MatchRequest = { category: 'operational', industryCode: '5221', businessType: 'Bank' },
  ): string | undefined {
    const forward = matchThreshold(candidates, req).threshold?.id;
    expect(matchThreshold([...candidates].reverse(), req).threshold?.id).toBe(forward);
    return forward;
  }

  it('prefers the longer industry_code over everything after it', () => {
    const longer = aThreshold({ ...base, industryCode: '522' });
    const shorter = aThreshold({ ...base, industryCode: '52', businessType: 'bank', priority: 99, isDefault: true });
    expect(winner([shorter, longer])).toBe(longer.id);
  });

  it('then a set business_type (matched case-insensitively) over null', () => {
    const typed = aThreshold({ ...base, industryCode: '52', businessType: 'BANK' });
    const untyped = aThreshold({ ...base, industryCode: '52', priority: 99 });
    expect(winner([untyped, typed])).toBe(typed.id);
  });

  it('then higher priority', () => {
    const high = aThreshold({ ...base, priority: 5 });
    const low = aThreshold({ ...base, priority: 1, isDefault: true, updatedAt: at(9) });
    expect(winner([low, high])).toBe(high.id);
  });

  it('then the default first', () => {
    const def = aThreshold({ ...base, isDefault: true });
    const other = aThreshold({ ...base, updatedAt: at(9) });
    expect(winner([other, def])).toBe(def.id);
  });

  it('then newer updated_at', () => {
    const newer = aThreshold({ ...base, updatedAt: at(9) });
    const older = aThreshold({ ...base, updatedAt: at(1) });
    expect(winner([older, newer])).toBe(newer.id);
  });

  it('then the smaller id', () => {
    const a = aThreshold({ ...base, id: '00000000-0000-4000-8000-00000000000a' });
    const b = aThreshold({ ...base, id: '00000000-0000-4000-8000-00000000000b' });
    expect(winner([b, a])).toBe(a.id);
  });

  it('ignores inactive thresholds and other categories', () => {
    const inactive = aThreshold({ ...base, industryCode: '5221', isActive: false });
    const other = aThreshold({ ...base, category: 'financial', industryCode: '5221' });
    const plain = aThreshold({ ...base });
    expect(winner([inactive, other, plain])).toBe(plain.id);
  });

  it('never matches a filtered threshold to a request without that filter', () => {
    const industry = aThreshold({ ...base, industryCode: '52' });
    const type = aThreshold({ ...base, businessType: 'bank' });
    expect(matchThreshold([industry, type], { category: 'operational' }).source).toBe('builtin');
  });

  it('falls back to the active default whatever its filters when nothing matches', () => {
    const def = aThreshold({ ...base, industryCode: '11', isDefault: true });
    const inactiveDefault = aThreshold({ ...base, isDefault: true, isActive: false });
    const result = matchThreshold([def, inactiveDefault], { category: 'operational', industryCode: '52' });
    expect(result).toMatchObject({ source: 'default', threshold: def });
    expect(result.reason).toContain('no active threshold');
  });

  it('falls back to built-in when the only default is inactive', () => {
    const inactiveDefault = aThreshold({ ...base, isDefault: true, isActive: false });
    expect(matchThreshold([inactiveDefault], { category: 'operational' }).source).toBe('builtin');
  });
});
