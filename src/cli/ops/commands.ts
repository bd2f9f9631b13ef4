import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig, DatabaseConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';
import { validateConfig } from '@app/cli/ops/config-validate';
import { checkDatabase, connect, explainConnectionError } from '@app/cli/ops/database';
import { migrationChecks, migrationState, currentSchema, verifySchema } from '@app/cli/ops/schema';
import { messageOf, report, type Check, type Report } from '@app/cli/ops/report';

type Env = Readonly<Record<string, string | undefined>>;

/** The validated config's database, or the report that explains why there is none. */
function databaseOf(command: string, env: Env): { db: DatabaseConfig; config: AppConfig } | { report: Report } {
  const validated = validateConfig(env);
  if (!validated.config) {
    return { report: { ...validated.report, command } };
  }
  if (!validated.config.database) {
    return {
      report: report(command, [
        {
          name: 'DATABASE_URL',
          status: 'fail',
          detail: 'not set: this command needs a database',
          fix: 'export DATABASE_URL=postgres://user:password@host:5432/database',
        },
      ]),
    };
  }
  return { db: validated.config.database, config: validated.config };
}

/** Runs `work` on one connection; an unreachable database is a named failure. */
async function withClient(
  command: string,
  db: DatabaseConfig,
  work: (client: Client) => Promise<Report>,
): Promise<Report> {
  let client: Client;
  try {
    client = await connect(db);
  } catch (error) {
    const { detail, fix } = explainConnectionError(error, db);
    return report(command, [{ name: 'database.reachable', status: 'fail', detail, fix }]);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function configValidate(env: Env): Report {
  return validateConfig(env).report;
}

export async function dbCheck(env: Env): Promise<Report> {
  const target = databaseOf('db:check', env);
  return 'report' in target ? target.report : checkDatabase(target.db);
}

export async function dbVerifySchema(env: Env): Promise<Report> {
  const target = databaseOf('db:verify-schema', env);
  if ('report' in target) return target.report;
  return withClient('db:verify-schema', target.db, async (client) => {
    const { checks, state } = await verifySchema(client);
    return report('db:verify-schema', checks, {
      applied: state.applied,
      pending: state.pending,
      unknown: state.unknown,
    });
  });
}

export async function migrateStatus(env: Env): Promise<Report> {
  const target = databaseOf('migrate:status', env);
  if ('report' in target) return target.report;
  return withClient('migrate:status', target.db, async (client) => {
    const state = await migrationState(client, await currentSchema(client));
    const pending = new Set(state.pending);
    const list: Check[] = [...state.applied.filter((n) => !state.unknown.includes(n)), ...state.pending].map(
      (name) => ({
        name: `migration.${name}`,
        status: pending.has(name) ? 'warn' : 'ok',
        detail: pending.has(name) ? 'pending' : 'applied',
      }),
    );
    return report('migrate:status', [...list, ...migrationChecks(state)], {
      applied: state.applied,
      pending: state.pending,
      unknown: state.unknown,
    });
  });
}

async function withDataSource(
  command: string,
  db: DatabaseConfig,
  work: (ds: DataSource) => Promise<Report>,
): Promise<Report> {
  const dataSource = new DataSource(dataSourceOptions(db));
  try {
    await dataSource.initialize();
  } catch (error) {
    const { detail, fix } = explainConnectionError(error, db);
    return report(command, [{ name: 'database.reachable', status: 'fail', detail, fix }]);
  }
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** `migrate`: applies every pending migration, each in its own transaction. */
export async function migrate(env: Env): Promise<Report> {
  const target = databaseOf('migrate', env);
  if ('report' in target) return target.report;
  return withDataSource('migrate', target.db, async (dataSource) => {
    try {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return report(
        'migrate',
        [
          {
            name: 'migrations',
            status: 'ok',
            detail:
              ran.length === 0
                ? 'nothing to do: the schema is up to date'
                : `applied ${ran.map((m) => m.name).join(', ')}`,
          },
        ],
        { applied: ran.map((m) => m.name) },
      );
    } catch (error) {
      return report('migrate', [
        {
          name: 'migrations',
          status: 'fail',
          detail: `a migration failed and was rolled back: ${messageOf(error)}`,
          fix: 'fix the cause (docs/TROUBLESHOOTING.md#migrations) and run migrate again; earlier migrations stay applied',
        },
      ]);
    }
  });
}

/** `migrate:revert`: undoes the last applied migration (docs/ROLLBACK.md says when that is safe). */
export async function migrateRevert(env: Env): Promise<Report> {
  const target = databaseOf('migrate:revert', env);
  if ('report' in target) return target.report;
  return withDataSource('migrate:revert', target.db, async (dataSource) => {
    const before = await dataSource
      .query<{ name: string }[]>(`SELECT name FROM "migrations" ORDER BY id DESC LIMIT 1`)
      .catch(() => []);
    if (before.length === 0) {
      return report('migrate:revert', [
        { name: 'migrations', status: 'fail', detail: 'no applied migration to revert' },
      ]);
    }
    try {
      await dataSource.undoLastMigration({ transaction: 'each' });
    } catch (error) {
      return report('migrate:revert', [
        {
          name: 'migrations',
          status: 'fail',
          detail: `reverting ${before[0].name} failed and was rolled back: ${messageOf(error)}`,
        },
      ]);
    }
    return report('migrate:revert', [{ name: 'migrations', status: 'ok', detail: `reverted ${before[0].name}` }], {
      reverted: before[0].name,
    });
  });
}

/**
 * `predeploy`: will this release start and serve against this database? Config, connectivity,
 * schema and migrations in one report ending in GO or NO-GO.
 */
export async function predeploy(env: Env): Promise<Report> {
  const validated = validateConfig(env);
  const checks: Check[] = validated.report.checks.map((c) => ({ ...c, name: `config.${c.name}` }));
  const config = validated.config;
  const data: Record<string, unknown> = { config: validated.report.data ?? null };
  if (config?.storage.mode === 'postgres' && config.database) {
    const db = config.database;
    const database = await checkDatabase(db);
    checks.push(...database.checks);
    data.database = database.data ?? null;
    if (database.checks.some((c) => c.name === 'database.reachable' && c.status === 'ok')) {
      const schema = await withClient('predeploy', db, async (client) => {
        const verified = await verifySchema(client);
        data.migrations = verified.state;
        if (verified.state.pending.length > 0 && db.migrationsRun) {
          // The service applies them at start; the schema is compared after they ran.
          return report('predeploy', [
            {
              name: 'migrations.pending',
              status: 'warn',
              detail: `${verified.state.pending.length} migration(s) pending; MIGRATIONS_RUN applies them at start`,
              fix: 'prefer running `node dist/cli migrate` (`npm run -s ops -- migrate` in a checkout) first (docs/DEPLOYMENT_CHECKLIST.md)',
            },
          ]);
        }
        return report('predeploy', verified.checks);
      });
      checks.push(...schema.checks);
      if (schema.checks.some((c) => c.name === 'migrations.pending' && c.status === 'warn')) {
        // A table the pending migrations create is not missing yet.
        for (const c of checks) if (c.name === 'thresholds.count' && c.status === 'fail') c.status = 'warn';
      }
    }
  } else if (config) {
    checks.push({ name: 'database', status: 'ok', detail: 'memory storage: no database to check' });
  }
  if (config?.signIn.oidc) checks.push(await checkIssuer(config.signIn.oidc.issuer));
  const result = report('predeploy', checks, data);
  return { ...result, verdict: result.ok ? 'GO' : 'NO-GO' };
}

/** How long predeploy waits for the provider's discovery document. */
const ISSUER_TIMEOUT_MS = 5000;

/**
 * The OpenID provider's discovery document answers, and names the configured issuer (people could
 * not sign in otherwise; the service itself starts either way).
 */
export async function checkIssuer(issuer: string): Promise<Check> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const fix = 'check OIDC_ISSUER (the issuer URL, as the provider names itself) and that this host reaches it';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ISSUER_TIMEOUT_MS), redirect: 'error' });
    if (!res.ok) return { name: 'oidc.issuer', status: 'fail', detail: `${url} answered ${res.status}`, fix };
    const document = (await res.json()) as { issuer?: unknown; authorization_endpoint?: unknown };
    // As openid-client compares them: an issuer that is an origin alone is the same with or without its slash.
    const same = (a: unknown, b: string): boolean =>
      typeof a === 'string' &&
      (a === b || (new URL(b).pathname === '/' && a.replace(/\/$/, '') === b.replace(/\/$/, '')));
    if (!same(document.issuer, issuer)) {
      return {
        name: 'oidc.issuer',
        status: 'fail',
        detail: `${url} names the issuer ${JSON.stringify(document.issuer)}, not ${issuer}`,
        fix: 'set OIDC_ISSUER to exactly the issuer the document names (a trailing slash counts)',
      };
    }
    return { name: 'oidc.issuer', status: 'ok', detail: `${url} answers for ${issuer}` };
  } catch (error) {
    return { name: 'oidc.issuer', status: 'fail', detail: `${url} did not answer: ${(error as Error).message}`, fix };
  }
}
