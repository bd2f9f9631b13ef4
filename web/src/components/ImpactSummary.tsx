import { LEVELS, type Level } from '../api';
import type { components } from '../api/schema';

export type Impact = components['schemas']['Impact'];

const count = (n: number): string => `${n.toLocaleString('en')} ${n === 1 ? 'case' : 'cases'}`;

/** The share as people read it: 4.1 %, never "0.0 %" for a change that moves a few cases. */
export function percent(share: number): string {
  const p = share * 100;
  if (p > 0 && p < 0.1) return '< 0.1 %';
  return `${p.toFixed(1)} %`;
}

/** The window in words: "in the last 30 days" when it ends today, else "from <date> to <date>". */
export function windowWords(from: string, to: string, today = new Date().toISOString().slice(0, 10)): string {
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  return to === today ? `in the last ${days} ${days === 1 ? 'day' : 'days'}` : `from ${from} to ${to}`;
}

/** Transitions summed over categories, largest first: `[from, to, count]`. */
export function movesOf(impact: Pick<Impact, 'transitions'>): [Level, Level, number][] {
  const sums = new Map<string, number>();
  for (const t of impact.transitions) {
    const key = `${t.from_level}>${t.to_level}`;
    sums.set(key, (sums.get(key) ?? 0) + t.count);
  }
  return [...sums.entries()]
    .map(([key, n]) => [...(key.split('>') as [Level, Level]), n] as [Level, Level, number])
    .sort((a, b) => b[2] - a[2] || LEVELS.indexOf(a[0]) - LEVELS.indexOf(b[0]));
}

/**
 * The impact's headline: "312 cases (4.1 %) of the last 30 days would change level: 280 medium →
 * high, 32 low → medium". No observations says so plainly, not "0 %".
 */
export function impactHeadline(impact: Impact, today?: string): string {
  const window = windowWords(impact.from, impact.to, today);
  const all = `${count(impact.observations)} classified ${window} in every category`;
  if (impact.observations === 0) {
    return `No cases were classified ${window}, so there is nothing to weigh this change against.`;
  }
  if (impact.changed === 0) {
    return `None of the ${all} would change level.`;
  }
  const moves = movesOf(impact)
    .map(([from, to, n]) => `${n.toLocaleString('en')} ${from} → ${to}`)
    .join(', ');
  // The share is of every case classified in the window (all categories): said, so it is not read as this threshold's.
  return `${impact.changed.toLocaleString('en')} of the ${all} (${percent(impact.changed_share)}) would change level: ${moves}.`;
}

/** The impact report: its headline, and the transitions as a from × to matrix (a table, readable as text). */
export function ImpactSummary({
  impact,
  label = 'Impact',
  movedCutoffs,
  names = {},
}: {
  impact: Impact;
  label?: string;
  /** The cut-offs that move (when known): only those are "near" lines. */
  movedCutoffs?: readonly string[];
  /** Thresholds' names by id, to say which threshold a cut-off is of when there are several. */
  names?: Readonly<Record<string, string>>;
}) {
  const near = impact.near_cutoffs.filter(
    (n) => n.within_1_below + n.within_1_above > 0 && (!movedCutoffs || movedCutoffs.includes(n.level)),
  );
  const moves = movesOf(impact);
  const cell = (from: Level, to: Level): number => moves.find(([f, t]) => f === from && t === to)?.[2] ?? 0;
  const rows = LEVELS.filter((from) => moves.some(([f]) => f === from));
  const cols = LEVELS.filter((to) => moves.some(([, t]) => t === to));
  return (
    <div className="impact">
      <p className="headline">{impactHeadline(impact)}</p>
      {moves.length > 0 ? (
        <table className="matrix">
          <caption>{label}: cases that change level, from (rows) → to (columns)</caption>
          <thead>
            <tr>
              <th scope="col">from \ to</th>
              {cols.map((to) => (
                <th scope="col" key={to}>
                  {to}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((from) => (
              <tr key={from}>
                <th scope="row">{from}</th>
                {cols.map((to) => (
                  <td key={to}>{cell(from, to) ? cell(from, to).toLocaleString('en') : '–'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {near.length > 0 && !movedCutoffs ? (
        <p className="muted">Cases near each cut-off the items set, moved or not:</p>
      ) : null}
      {near.length > 0 ? (
        <ul className="muted near">
          {near.map((n) => (
            <li key={`${n.threshold_id}:${n.level}`}>
              Near the {n.level} cut-off at {n.cutoff}
              {new Set(near.map((x) => x.threshold_id)).size > 1
                ? ` of ${names[n.threshold_id] ?? n.threshold_id}`
                : ''}
              : {count(n.within_1_below)} within 1 point below, {count(n.within_1_above)} within 1 point above.
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
