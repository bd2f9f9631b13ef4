/**
 * What every operator command produces: named checks, each ok, warn or fail, with a detail and,
 * for a problem, the fix. Rendered for people (default) or as JSON (`--json`); the exit code
 * follows from it (0 no failure, 1 a failure, 2 a usage error).
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  /** A stable name (`database.reachable`, `index.UQ_risk_thresholds_active_default`, ...). */
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface Report {
  command: string;
  ok: boolean;
  checks: Check[];
  /** Measurements and facts for machines (`--json`). */
  data?: Record<string, unknown>;
  /** One closing line for people, e.g. "GO" / "NO-GO". */
  verdict?: string;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function report(command: string, checks: Check[], data?: Record<string, unknown>, verdict?: string): Report {
  const ok = checks.every((c) => c.status !== 'fail');
  return { command, ok, checks, ...(data ? { data } : {}), ...(verdict ? { verdict } : {}) };
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export function renderHuman(r: Report): string {
  const lines = [`${r.command}`];
  for (const c of r.checks) {
    lines.push(`  [${MARK[c.status]}] ${c.name}: ${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`         fix: ${c.fix}`);
  }
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const warned = r.checks.filter((c) => c.status === 'warn').length;
  lines.push(
    `${r.verdict ?? (r.ok ? 'OK' : 'FAILED')}: ${r.checks.length} checks, ${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** Thrown for a command line the CLI cannot act on (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The message of an unknown thrown value, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
