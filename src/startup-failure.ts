import { writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigValidationError } from '@app/modules/config/app-config';
import { databaseFailureHint, databaseFailureReason } from '@app/modules/database/connection-errors';
import { SchemaBehindError } from '@app/modules/database/database.service';

/** The exit code of every failed start (docs/TROUBLESHOOTING.md). */
export const STARTUP_FAILURE_EXIT_CODE = 1;

export interface StartupFailure {
  /** What went wrong, for a person. */
  cause: string;
  /** What to do about it. */
  action: string;
  /** For a database error: its reason (`database_missing`, `authentication_failed`, …). */
  reason?: string;
}

/**
 * A start-up failure in words an operator can act on: configuration problems, a schema that is
 * behind and the embedded server's errors carry their own instructions; a database error is
 * named by its reason (`database_missing`, `authentication_failed`, …) with what to do.
 */
export function describeStartupFailure(error: unknown): StartupFailure {
  if (error instanceof ConfigValidationError) {
    return { cause: error.message, action: 'fix the listed variables (docs/ENVIRONMENT_VARIABLES.md) and start again' };
  }
  if (error instanceof SchemaBehindError) {
    return {
      cause: error.message,
      action:
        'run `node dist/cli migrate` (the migration Job) before starting this release, or set MIGRATIONS_RUN=true',
    };
  }
  if (error instanceof Error && error.name === 'EmbeddedPostgresError') {
    return {
      cause: error.message,
      action: 'set DATABASE_URL to a PostgreSQL server, or STORAGE=memory for a throwaway store',
    };
  }
  const reason = databaseFailureReason(error);
  const message = error instanceof Error ? error.message : String(error);
  if (reason !== 'error') {
    return { cause: `database: ${message}`, action: databaseFailureHint(reason), reason };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    return { cause: message, action: 'another process holds HOST:PORT, or the port needs privileges: change PORT' };
  }
  return { cause: message, action: 'see docs/TROUBLESHOOTING.md; LOG_LEVEL=debug adds the stack trace' };
}

/**
 * Reports a failed start as one line and returns the exit code: in JSON log mode (the default)
 * one JSON line on stdout like every other log line (level `fatal`, `cause`, `action`), else one
 * plain line on stderr. The stack trace only with `LOG_LEVEL=debug` (or `trace`).
 */
export function reportStartupFailure(
  error: unknown,
  env: NodeJS.ProcessEnv = process.env,
  write: (fd: number, text: string) => void = (fd, text) => void writeSync(fd, text),
): number {
  const { cause, action, reason } = describeStartupFailure(error);
  const debug = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
  const stack = debug && error instanceof Error ? error.stack : undefined;
  if ((env.LOG_FORMAT ?? 'json') === 'json') {
    const line = {
      level: 'fatal',
      time: new Date().toISOString(),
      pid: process.pid,
      hostname: hostname(),
      context: 'Bootstrap',
      cause,
      action,
      ...(reason ? { reason } : {}),
      exit_code: STARTUP_FAILURE_EXIT_CODE,
      ...(stack ? { stack } : {}),
      msg: `start-up failed: ${cause} — ${action}`,
    };
    write(1, `${JSON.stringify(line)}\n`);
  } else {
    write(2, `start-up failed: ${cause}\n  what to do: ${action}\n${stack ? `${stack}\n` : ''}`);
  }
  return STARTUP_FAILURE_EXIT_CODE;
}
