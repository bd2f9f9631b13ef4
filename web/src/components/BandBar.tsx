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

/**
 * A threshold's bands as a 0-100 bar: one colour per level (the same everywhere), the cut-off
 * numbers printed under it (never colour alone), an optional score marked on it.
 */
export function BandBar({ bands, score, large = false }: { bands: Bands; score?: number; large?: boolean }) {
  const height = large ? 28 : 14;
  const title = `Bands: ${describeBands(bands)}${score === undefined ? '' : `; score ${score}`}`;
  return (
    <div className={large ? 'band-bar large' : 'band-bar'}>
      <svg role="img" viewBox={`0 0 100 ${height}`} preserveAspectRatio="none" width="100%" height={height}>
        <title>{title}</title>
        {segments(bands).map((s) => (
          <rect key={s.level} className={`level-${s.level}`} x={s.from} y={0} width={s.to - s.from} height={height} />
        ))}
        {score === undefined ? null : (
          <rect className="score-mark" x={Math.min(99.4, Math.max(0, score - 0.3))} y={0} width={0.6} height={height} />
        )}
      </svg>
      <div className="cuts" aria-hidden="true">
        {[bands.low, bands.medium, bands.high, bands.critical].map((cut, i) => (
          <span key={i} style={{ left: `${cut}%` }}>
            {cut}
          </span>
        ))}
      </div>
    </div>
  );
}
