/** A sample line: name, optional labels, a value (NaN and Inf in any case, as Prometheus parses them), optional timestamp. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (-?[0-9.eE+-]+|nan|[+-]?inf)( -?\d+)?$/i;

/**
 * The checks `promtool check metrics` makes that matter here, for `postdeploy` and for machines
 * without promtool: every family has HELP and TYPE, names are valid, only counters end in
 * _total, samples parse. Returns the problems; none means the exposition is good.
 */
export function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  let samples = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') helps.add(meta[2]);
      else types.set(meta[2], meta[3]);
    } else if (line.startsWith('#')) {
      continue;
    } else if (SAMPLE.test(line)) {
      samples++;
    } else {
      problems.push(`unparsable: ${line}`);
    }
  }
  for (const [name, type] of types) {
    if (!helps.has(name)) problems.push(`${name}: no HELP`);
    if (type !== 'counter' && name.endsWith('_total')) {
      problems.push(`${name}: non-counter metrics should not have "_total" suffix`);
    }
  }
  if (samples === 0) problems.push('no samples');
  return problems;
}
