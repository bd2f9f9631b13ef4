import { expositionProblems } from '@app/cli/ops/exposition';

describe('expositionProblems', () => {
  const family = (name: string, type: string, sample: string): string =>
    `# HELP ${name} Something.\n# TYPE ${name} ${type}\n${sample}\n`;

  it('accepts what Prometheus parses, NaN and Inf in any case and timestamps included', () => {
    const text = [
      family('a_seconds', 'gauge', 'a_seconds Nan'),
      family('b_seconds', 'gauge', 'b_seconds NaN'),
      family('c', 'gauge', 'c{x="1,2}"} +Inf 1700000000000'),
      family('d_total', 'counter', 'd_total{route="/v1/risk/classify",status="200"} 12'),
      family('e', 'gauge', 'e -1.5e-3'),
    ].join('');
    expect(expositionProblems(text)).toEqual([]);
  });

  it('names a family without HELP, a non-counter ending in _total, an unparsable sample, and an empty body', () => {
    expect(expositionProblems('# TYPE a gauge\na 1\n')).toEqual(['a: no HELP']);
    expect(expositionProblems(family('x_total', 'gauge', 'x_total 1'))).toEqual([
      'x_total: non-counter metrics should not have "_total" suffix',
    ]);
    expect(expositionProblems(family('y', 'gauge', 'y one'))).toEqual(['unparsable: y one', 'no samples']);
    expect(expositionProblems('')).toEqual(['no samples']);
  });
});
