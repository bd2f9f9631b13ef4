import { LEVELS, type Level } from '../api';

export interface Bands {
  low: number;
  medium: number;
  high: number;
  critical: number;
}

/** The five levels' segments of 0-100: minimal below low, …, critical from critical (CONTRACT §2.1). */
export function segments(bands: Bands): { level: Level; from: number; to: number }[] {
  const cuts = [0, bands.low, bands.medium, bands.high, bands.critical, 100];
  return LEVELS.map((level, i) => ({ level, from: cuts[i], to: cuts[i + 1] })).filter((s) => s.to > s.from);
}

/** The bands in words, for the picture's title and for whoever cannot see it. */
export function describeBands(bands: Bands): string {
  return `minimal below ${bands.low}, low from ${bands.low}, medium from ${bands.medium}, high from ${bands.high}, critical from ${bands.critical}`;
}

/** Cut-off labels closer than this (in score points) go on a second line, so they never overprint. */
const LABEL_ROOM = 7;

/** Each cut-off label's line (0 or 1) and how it is anchored (the ends stay inside the bar). */
export function cutLabels(bands: Bands): { cut: number; row: 0 | 1; anchor: 'start' | 'middle' | 'end' }[] {
  const cuts = [bands.low, bands.medium, bands.high, bands.critical];
  const lastOnRow: [number, number] = [-Infinity, -Infinity];
  return cuts.map((cut) => {
    const row: 0 | 1 = cut - lastOnRow[0] >= LABEL_ROOM || cut - lastOnRow[1] < LABEL_ROOM ? 0 : 1;
    lastOnRow[row] = cut;
    return { cut, row, anchor: cut < 3 ? 'start' : cut > 97 ? 'end' : 'middle' };
  });
}

/** Which colour is which level: the same on every page. */
export function LevelLegend() {
  return (
    <ul className="legend" aria-label="Levels">
      {LEVELS.map((level) => (
        <li key={level}>
          <svg width="12" height="12" aria-hidden="true">
            <rect className={`level-${level}`} width="12" height="12" />
          </svg>
          {level}
        </li>
      ))}
      <li className="muted">each number is where its level starts</li>
    </ul>
  );
}

/** The levels' coloured segments, for an SVG of width 100 (the bar here, the band editor's too). */
export function Segments({ bands, height }: { bands: Bands; height: number }) {
  return (
    <>
      {segments(bands).map((s) => (
        <rect
          key={s.level}
          className={`level-${s.level}`}
          x={s.from}
          y={0}
          width={s.to - s.from}
          height={height}
          stroke="#fff"
          strokeWidth={0.4}
          vectorEffect="non-scaling-stroke"
        />
      ))}
    </>
  );
}

/**
 * A threshold's bands as a 0-100 bar: one colour per level (the same everywhere), the cut-off
 * numbers printed under it (never colour alone), an optional score marked on it.
 */
export function BandBar({ bands, score, large = false }: { bands: Bands; score?: number; large?: boolean }) {
  const height = large ? 28 : 14;
  const title = `Bands: ${describeBands(bands)}${score === undefined ? '' : `; score ${score}`}`;
  const labels = cutLabels(bands);
  return (
    <div className={large ? 'band-bar large' : 'band-bar'}>
      <svg role="img" viewBox={`0 0 100 ${height}`} preserveAspectRatio="none" width="100%" height={height}>
        <title>{title}</title>
        <Segments bands={bands} height={height} />
        {score === undefined ? null : (
          <rect
            className="score-mark"
            x={Math.min(99.4, Math.max(0, score - 0.3))}
            y={0}
            width={0.6}
            height={height}
            stroke="#fff"
            strokeWidth={1}
            vectorEffect="non-scaling-stroke"
          />
        )}
      </svg>
      <div className={labels.some((l) => l.row === 1) ? 'cuts two-rows' : 'cuts'} aria-hidden="true">
        {labels.map(({ cut, row, anchor }, i) => (
          <span key={i} className={`row-${row} anchor-${anchor}`} style={{ left: `${cut}%` }}>
            {cut}
          </span>
        ))}
      </div>
    </div>
  );
}
