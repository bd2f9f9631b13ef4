import type { Category } from '@app/modules/thresholds/domain/threshold';

/**
 * How many times one score was classified for one matching key on one UTC day (CONTRACT §8.1):
 * the only thing capture keeps. No identifiers, no request bodies.
 */
export interface Observation {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  category: Category;
  /** As matching compares them: the industry code upper-cased, the business type lower-cased; '' for none. */
  industryCode: string;
  businessType: string;
  /** The score in hundredths (0-10000): rounded half-up to 2 decimals. */
  score: number;
  count: number;
}

/** Observations summed over days: one row per (key, score) in a window. */
export type WindowObservation = Omit<Observation, 'day'>;

const DAY_MS = 86_400_000;

/**
 * A score in hundredths, rounded half-up to 2 decimals (CONTRACT §8.1). Scores arrive as binary
 * doubles (55.555 is 55.55499999999999...): a fraction within 1e-9 of a half counts as the half the
 * client wrote; anything further below it (54.994999999) rounds down.
 */
export function hundredths(score: number): number {
  const scaled = score * 100;
  const whole = Math.floor(scaled);
  return scaled - whole >= 0.5 - 1e-9 ? whole + 1 : whole;
}

/** The score a number of hundredths stands for, as a client sending it with 2 decimals would have. */
export function scoreOf(hundredthsValue: number): number {
  return hundredthsValue / 100;
}

/** The UTC day number (days since 1970-01-01) of an instant in milliseconds. */
export function dayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** `YYYY-MM-DD` of a UTC day number. */
export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC day number of a `YYYY-MM-DD` string. */
export function dayNumberOf(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / DAY_MS;
}

/** A matching key's parts as matching compares them. */
export function normalIndustryCode(code: string | null | undefined): string {
  return code ? code.toUpperCase() : '';
}
export function normalBusinessType(type: string | null | undefined): string {
  return type ? type.toLowerCase() : '';
}

/** The last day (`YYYY-MM-DD`) of a month (`YYYY-MM`). */
export function lastDayOf(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
}

/** The month (`YYYY-MM`) after `month`. */
export function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

/** The months (`YYYY-MM`) from the one of day `from` to the one of day `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from.slice(0, 7); month <= to.slice(0, 7); month = nextMonth(month)) months.push(month);
  return months;
}
