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
