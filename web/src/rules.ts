// The server's own rules (src/modules/thresholds/domain/threshold.rules.ts), imported as they are:
// the console validates while people type with the very schemas the API validates with.
import { check, riskLevelsSchema } from '../../src/modules/thresholds/domain/threshold.rules';
import type { Bands } from './components/BandBar';

export const BOUNDS = ['low', 'medium', 'high', 'critical'] as const;
export type Bound = (typeof BOUNDS)[number];

/** What a person typed in the four inputs. */
export type TypedBands = Record<Bound, string>;

/** A typed value as the API would read it: a number, or the text itself (refused as "must be a finite number"). */
function asNumber(text: string): unknown {
  const trimmed = text.trim().replace(/^(-?\d+),(\d{1,2})$/, '$1.$2');
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  // Plain decimals only: `1e-301` or `0x10` are not how anyone writes a cut-off.
  return Number.isFinite(n) && /^-?(\d+\.?\d*|\.\d+)$/.test(trimmed) ? n : trimmed;
}

/**
 * The typed bands checked by the server's `risk_levels` rules: the bands when valid, else each
 * input's message (the API's own words: "must be greater than medium (50)").
 */
export function checkBands(typed: TypedBands): { bands: Bands } | { errors: Partial<Record<Bound, string>> } {
  const input = Object.fromEntries(BOUNDS.map((k) => [k, asNumber(typed[k])]));
  const result = check(riskLevelsSchema, input, '');
  if (result.ok) return { bands: result.value };
  const errors: Partial<Record<Bound, string>> = {};
  for (const v of result.violations) {
    const key = v.field.replace(/^\//, '') as Bound;
    if (BOUNDS.includes(key) && errors[key] === undefined) {
      // Text that is not a plain number: said in the words a person typing needs.
      errors[key] = typeof input[key] === 'string' ? 'must be a number like 55 or 55.5' : v.message;
    }
  }
  return { errors };
}

/** A number as people write it: never an exponent (1e-7 is 0.0000001). */
export const showNumber = (n: number): string =>
  n.toLocaleString('en', { useGrouping: false, maximumFractionDigits: 20 });

export const typedOf = (bands: Bands): TypedBands =>
  Object.fromEntries(BOUNDS.map((k) => [k, showNumber(bands[k])])) as TypedBands;

/** Where a handle may go: strictly between its neighbours (handles never cross or touch), within 0-100. */
export function limitsOf(bands: Bands, key: Bound): { min: number; max: number } {
  const i = BOUNDS.indexOf(key);
  const below = i === 0 ? undefined : bands[BOUNDS[i - 1]];
  const above = i === BOUNDS.length - 1 ? undefined : bands[BOUNDS[i + 1]];
  // The next whole number past a neighbour (55.5 → 56), or the neighbour's own value plus one.
  const min = below === undefined ? 0 : Math.floor(below) + 1;
  const max = above === undefined ? 100 : Math.ceil(above) - 1;
  return { min, max };
}

/**
 * A key pressed on a handle: ←/→ (and ↓/↑) move it by 1, with Shift by 5, Home/End to the
 * neighbour's limit, PageDown/PageUp by 10. It stops at its neighbour; `undefined` for other keys.
 */
export function moveHandle(bands: Bands, key: Bound, pressed: string, shift = false): Bands | undefined {
  const { min, max } = limitsOf(bands, key);
  const step = shift ? 5 : 1;
  const now = bands[key];
  let next: number;
  switch (pressed) {
    case 'ArrowLeft':
    case 'ArrowDown':
      next = Number.isInteger(now) ? now - step : Math.floor(now) - (step - 1);
      break;
    case 'ArrowRight':
    case 'ArrowUp':
      next = Number.isInteger(now) ? now + step : Math.ceil(now) + (step - 1);
      break;
    case 'PageDown':
      next = now - 10;
      break;
    case 'PageUp':
      next = now + 10;
      break;
    case 'Home':
      next = min;
      break;
    case 'End':
      next = max;
      break;
    default:
      return undefined;
  }
  // No room between the neighbours (they are within 2 points): the handle stays.
  if (min > max) return bands;
  return { ...bands, [key]: Math.min(max, Math.max(min, Math.round(next * 100) / 100)) };
}

/** A handle dragged to a point of the bar (0-100, whole numbers), stopped at its neighbours. */
export function dragHandle(bands: Bands, key: Bound, at: number): Bands {
  const { min, max } = limitsOf(bands, key);
  if (min > max) return bands;
  return { ...bands, [key]: Math.min(max, Math.max(min, Math.round(at))) };
}
