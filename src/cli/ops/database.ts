import { Client } from 'pg';
import type { DatabaseConfig } from '@app/modules/config/app-config';
import { APPLICATION_NAME, sslOptions } from '@app/modules/database/data-source.options';
import { redactUrl } from '@app/modules/database/redact-url';
import { messageOf, report, type Check, type Report } from '@app/cli/ops/report';

/** A single connection with the service's own TLS and timeout settings. */
export async function connect(db: DatabaseConfig): Promise<Client> {
  const client = new Client({
    connectionString: db.url,
    ssl: sslOptions(db.ssl),
    connectionTimeoutMillis: db.connectTimeoutMs,
    statement_timeout: db.statementTimeoutMs,
    application_name: `${APPLICATION_NAME}-ops`,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Why a connection failed, in an operator's words, and what to do. */
export function explainConnectionError(error: unknown, db: DatabaseConfig): { detail: string; fix: string } {
  const code = (error as { code?: string }).code;
  const target = redactUrl(db.url);
  const message = messageOf(error);
  switch (code) {
    case 'ECONNREFUSED':
      return {
        detail: `unreachable: connection refused by ${target}`,
        fix: 'is PostgreSQL running and listening on that host and port?',
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        detail: `unreachable: the host of ${target} does not resolve`,
        fix: 'check the host name in DATABASE_URL',
      };
    case '28P01':
    case '28000':
      return { detail: `authentication failed for ${target}`, fix: 'check the user and password in DATABASE_URL' };
    case '3D000':
      return { detail: `the database of ${target} does not exist`, fix: 'create it (docs/PRODUCTION_ENV_SETUP.md)' };
    case '53300':
      return {
        detail: 'the server has no connection slot left (too many connections)',
        fix: 'lower DATABASE_POOL_MAX or raise max_connections',
      };
    default:
      if (/timeout/i.test(message)) {
        return {
          detail: `unreachable: no answer from ${target} within ${db.connectTimeoutMs} ms`,
          fix: 'check network policy / firewall between this host and the database',
        };
      }
      return { detail: `cannot connect to ${target}: ${message}`, fix: 'see docs/TROUBLESHOOTING.md#database' };
  }
}

type Attempt<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown };

/** Runs `work`, timing it; a failure is returned, not thrown. */
async function attempt<T>(work: () => Promise<T>): Promise<Attempt<T>> {
  const started = performance.now();
  try {
    const value = await work();
    return { ok: true, value, ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * `db:check`: connects, reports the server version, round-trip latency (median of 5), connection
 * use against `max_connections`, the pool settings, and how long `COUNT(*)` on the thresholds takes.
 */
export async function checkDatabase(db: DatabaseConfig): Promise<Report> {
  const checks: Check[] = [];
  const connected = await attempt(() => connect(db));
  if (!connected.ok) {
    const { detail, fix } = explainConnectionError(connected.error, db);
    return report('db:check', [{ name: 'database.reachable', status: 'fail', detail, fix }], {
      database: redactUrl(db.url),
    });
  }
  const client = connected.value;
  try {
    checks.push({
      name: 'database.reachable',
      status: 'ok',
      detail: `connected in ${connected.ms} ms to ${redactUrl(db.url)}`,
    });
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
    const major = Number.parseInt(version, 10);
    checks.push({
      name: 'database.version',
      status: major >= 13 ? 'ok' : 'warn',
      detail: `PostgreSQL ${version}`,
      ...(major >= 13 ? {} : { fix: 'PostgreSQL 13 or later is supported' }),
    });
    const rtts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await client.query('SELECT 1');
      rtts.push(Math.round((performance.now() - started) * 100) / 100);
    }
    const latency = rtts.sort((a, b) => a - b)[2];
    checks.push({
      name: 'database.latency',
      status: latency <= 20 ? 'ok' : 'warn',
      detail: `${latency} ms median round trip (SELECT 1, 5 tries)`,
      ...(latency <= 20 ? {} : { fix: 'every write waits for this round trip: run the service close to the database' }),
    });
    const use = (
      await client.query<{ max: number; reserved: number; used: number; ours: number }>(
        `SELECT current_setting('max_connections')::int AS max,
                current_setting('superuser_reserved_connections')::int AS reserved,
                (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used,
                (SELECT count(*)::int FROM pg_stat_activity WHERE application_name = $1) AS ours`,
        [APPLICATION_NAME],
      )
    ).rows[0];
    const free = use.max - use.reserved - use.used;
    checks.push({
      name: 'database.connections',
      status: free >= db.poolMax ? 'ok' : 'warn',
      detail: `${use.used} of max_connections ${use.max} in use (${use.reserved} reserved, ${use.ours} by the service); pool max ${db.poolMax} per replica, ${free} free`,
      ...(free >= db.poolMax
        ? {}
        : { fix: 'one more replica would not get a full pool: lower DATABASE_POOL_MAX or raise max_connections' }),
    });
    const count = await attempt(() =>
      client.query<{ n: string }>('SELECT count(*) AS n FROM risk_thresholds').then((r) => Number(r.rows[0].n)),
    );
    if (count.ok) {
      checks.push({
        name: 'thresholds.count',
        status: 'ok',
        detail: `${count.value} thresholds, COUNT(*) in ${count.ms} ms`,
      });
    } else {
      const missing = (count.error as { code?: string }).code === '42P01';
      checks.push({
        name: 'thresholds.count',
        status: 'fail',
        detail: missing ? 'table risk_thresholds does not exist' : `COUNT(*) failed: ${messageOf(count.error)}`,
        fix: missing
          ? 'run `node dist/cli migrate` (`npm run -s ops -- migrate` in a checkout)'
          : 'see docs/TROUBLESHOOTING.md#database',
      });
    }
    return report('db:check', checks, {
      database: redactUrl(db.url),
      server_version: version,
      latency_ms: latency,
      connect_ms: connected.ms,
      max_connections: use.max,
      connections_used: use.used,
      connections_by_service: use.ours,
      pool: {
        max: db.poolMax,
        max_waiting: db.poolMaxWaiting,
        connect_timeout_ms: db.connectTimeoutMs,
        statement_timeout_ms: db.statementTimeoutMs,
        idle_timeout_ms: db.idleTimeoutMs,
        ssl: db.ssl.mode,
      },
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
