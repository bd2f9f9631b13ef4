/** Node socket errors that mean the server cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** Messages of `pg` for a connection lost or never made (it raises plain Errors for these). */
const PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated due to connection timeout',
  'connect ECONNREFUSED',
];

/**
 * Whether `error` means the database is unreachable or going away (as opposed to a problem
 * with the statement): network errors, SQLSTATE class 08 (connection exception), 57P01-57P03
 * (shutdown, crash, cannot connect now), 53300 (too many connections).
 */
export function isConnectionError(error: unknown): boolean {
  const candidates = [error, (error as { driverError?: unknown } | null)?.driverError];
  return candidates.some((e) => {
    if (typeof e !== 'object' || e === null) return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300')
    ) {
      return true;
    }
    return typeof message === 'string' && PG_MESSAGES.some((m) => message.includes(m));
  });
}

/** What went wrong with the database, in words safe to show anyone (no host, user or message). */
export const DATABASE_FAILURE_REASONS = [
  'authentication_failed',
  'database_missing',
  'permission_denied',
  'refused',
  'host_not_found',
  'unreachable',
  'timeout',
  'tls',
  'too_many_connections',
  'shutting_down',
  'connection_lost',
  'error',
] as const;
export type DatabaseFailureReason = (typeof DATABASE_FAILURE_REASONS)[number];

const FAILURE_HINTS: Record<DatabaseFailureReason, string> = {
  authentication_failed: 'check the user and password in DATABASE_URL (a rotated password?)',
  database_missing: 'create the database first (CREATE DATABASE …, or createdb), or fix its name in DATABASE_URL',
  permission_denied: "grant the service's user the rights docs/DATABASE.md lists",
  refused: 'nothing listens at the host and port of DATABASE_URL: is PostgreSQL running, is the port right?',
  host_not_found: 'the host name of DATABASE_URL does not resolve',
  unreachable: 'the host of DATABASE_URL cannot be reached (network, firewall)',
  timeout: 'the database did not answer in time (network, firewall, or an overloaded server)',
  tls: 'TLS failed: check DATABASE_SSL_MODE and DATABASE_SSL_CA_FILE against the server certificate',
  too_many_connections: 'the server has no connection slot left: lower DATABASE_POOL_MAX or raise max_connections',
  shutting_down:
    'the server ended the connection: it is shutting down or restarting, or an administrator terminated the session',
  connection_lost: 'the connection was closed by the server or the network',
  error: 'see the service log and `node dist/cli db:check`',
};

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_VERIFY/;

/** The reason of a database error, from its SQLSTATE or socket code (the message only as a fallback). */
export function databaseFailureReason(error: unknown): DatabaseFailureReason {
  const candidates = [
    error,
    (error as { driverError?: unknown } | null)?.driverError,
    (error as { cause?: unknown } | null)?.cause,
  ];
  for (const e of candidates) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message } = e as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (code === '28P01' || code === '28000') return 'authentication_failed';
    if (code === '3D000') return 'database_missing';
    if (code === '42501') return 'permission_denied';
    if (code === 'ECONNREFUSED' || text.includes('ECONNREFUSED')) return 'refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host_not_found';
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
    if (code === 'ETIMEDOUT' || /timeout/i.test(text)) return 'timeout';
    if ((typeof code === 'string' && TLS_CODES.test(code)) || /SSL|certificate/i.test(text)) return 'tls';
    if (code === '53300') return 'too_many_connections';
    if (typeof code === 'string' && /^57P0[123]$/.test(code)) return 'shutting_down';
    if (text.includes('Connection terminated') || code === 'ECONNRESET' || code === 'EPIPE') return 'connection_lost';
  }
  return 'error';
}

/** What an operator can do about `reason`. */
export function databaseFailureHint(reason: DatabaseFailureReason): string {
  return FAILURE_HINTS[reason];
}
