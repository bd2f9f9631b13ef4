import { LEVELS, type Level } from '../api';
import type { components } from '../api/schema';
import type { Bands } from './BandBar';

export type Distribution = components['schemas']['ScoreDistribution'];

const CUTS = ['low', 'medium', 'high', 'critical'] as const;

/** The level a score falls in under `bands` (a score at a cut-off starts that level). */
export function levelOf(score: number, bands: Bands): Level {
  let level: Level = 'minimal';
  for (const [i, cut] of CUTS.entries()) if (score >= bands[cut]) level = LEVELS[i + 1];
  return level;
}

/** The level(s) of a bin: "low", or "low and medium" when a cut-off falls inside it. */
export function levelsOf(lower: number, width: number, bands: Bands): string {
  const first = levelOf(lower, bands);
  const last = levelOf(Math.min(100, lower + width - 0.005), bands);
  return first === last ? first : `${first} to ${last}`;
}

/**
 * The observed scores as bars over 0-100, coloured by the level each bin starts in under the
 * proposed bands, with the current cut-offs as thin lines and the proposed ones as bold lines.
 * The numbers are in the title and in a table for whoever cannot see the picture.
 */
export function Histogram({
  distribution,
  current,
  proposed,
}: {
  distribution: Distribution;
  current: Bands;
  proposed: Bands;
}) {
  const height = 60;
  const most = Math.max(1, ...distribution.bins.map((b) => b.count));
  const width = distribution.bin_width;
  const moved = CUTS.filter((c) => current[c] !== proposed[c]);
  const title =
    `Score distribution, ${distribution.total.toLocaleString('en')} cases from ${distribution.from} to ${distribution.to}` +
    (moved.length ? `; moved cut-offs: ${moved.map((c) => `${c} ${current[c]} → ${proposed[c]}`).join(', ')}` : '');
  return (
    <figure className="histogram">
      <svg role="img" viewBox={`0 0 100 ${height}`} preserveAspectRatio="none" width="100%" height={120}>
        <title>{title}</title>
        <rect x={0} y={0} width={100} height={height} className="plot" />
        {distribution.bins.map((b) => {
          const h = Math.max(0.8, (b.count / most) * (height - 2));
          return (
            <rect
              key={b.lower}
              className={`level-${levelOf(b.lower, proposed)}`}
              x={b.lower}
              y={height - h}
              width={Math.max(0.3, Math.min(width, 100 - b.lower))}
              height={h}
            />
          );
        })}
        {CUTS.map((c) => (
          <line
            key={`now-${c}`}
            className="cut-now"
            x1={current[c]}
            x2={current[c]}
            y1={0}
            y2={height}
            vectorEffect="non-scaling-stroke"
          />
        ))}
        {moved.map((c) => (
          <line
            key={`new-${c}`}
            className="cut-new"
            x1={proposed[c]}
            x2={proposed[c]}
            y1={0}
            y2={height}
            vectorEffect="non-scaling-stroke"
          />
        ))}
      </svg>
      <figcaption className="muted">
        {distribution.total === 0
          ? `No cases were classified under these keys from ${distribution.from} to ${distribution.to}.`
          : `${distribution.total.toLocaleString('en')} cases from ${distribution.from} to ${distribution.to}, in bins of ${width} point${width === 1 ? '' : 's'}. Thin lines: the cut-offs now; bold lines: the proposed ones.`}
      </figcaption>
      {distribution.total > 0 ? (
        <details>
          <summary>The distribution as numbers</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Scores</th>
                <th scope="col">Cases</th>
                <th scope="col">Level under the proposed bands</th>
              </tr>
            </thead>
            <tbody>
              {distribution.bins.map((b) => (
                <tr key={b.lower}>
                  <td>
                    {b.lower}–{Math.min(100, b.lower + width)}
                  </td>
                  <td>{b.count.toLocaleString('en')}</td>
                  <td>{levelsOf(b.lower, width, proposed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </figure>
  );
}
