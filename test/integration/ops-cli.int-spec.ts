import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { runCli, type CliResult } from '@app/cli/ops/cli';
import type { Check, Report } from '@app/cli/ops/report';
import { MIGRATIONS } from '@app/modules/database/data-source.options';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { adminQuery as sql, createTestDatabase, type TestDatabase } from '@test/support/postgres';
import { freePort } from '@test/support/service-process';
import { startTestProvider } from '@test/support/oidc';

const ROOT = join(__dirname, '..', '..');
const LAST_MIGRATION = new MIGRATIONS[MIGRATIONS.length - 1]().name;
const ADMIN_HASH = sha256Hex('rts_ops_test_key_0000000000000000000000000000');

/** Runs the CLI in-process with exactly `env` (nothing from this process's environment). */
async function ops(env: Record<string, string>, ...argv: string[]): Promise<CliResult & { report?: Report }> {
  const result = await runCli([...argv, '--json'], env, mkdtempSync(join(tmpdir(), 'rts-ops-')));
  return { ...result, ...(result.stdout ? { report: JSON.parse(result.stdout) as Report } : {}) };
}

const failures = (r?: Report): string[] => (r?.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.name);
const check = (r: Report | undefined, name: string): Check | undefined => r?.checks.find((c) => c.name === name);

describe('operator CLI: usage and configuration', () => {
  it('exits 2 on an unknown command, an unknown option, or postdeploy without --url', async () => {
    expect((await runCli(['frobnicate'], {})).code).toBe(2);
    expect((await runCli(['config:validate', '--colour'], {})).code).toBe(2);
    const noUrl = await runCli(['postdeploy'], {});
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('postdeploy needs --url');
    expect((await runCli(['postdeploy', '--url', 'ftp://x'], {})).code).toBe(2);
    expect((await runCli([], {})).code).toBe(2);
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('db:verify-schema');
  });

  // Issue #13, finding 4: `… --json | jq` with a reader gone (a failed jq, `| head -c1`) died
  // on an unhandled EPIPE.
  it('--json through a pipe its reader closed: the command ends with its own exit code, no crash', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(__dirname, '../support/register-ts.js'),
        join(__dirname, '../../src/cli/index.ts'),
        'config:validate',
        '--json',
      ],
      { env: { ...process.env, NODE_ENV: 'development' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.destroy(); // the reader is gone before the first byte
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('config:validate passes a valid environment and exits 1 naming every problem, secrets never printed', async () => {
    const good = await ops({ NODE_ENV: 'development' }, 'config:validate');
    expect(good.code).toBe(0);
    expect(good.report?.ok).toBe(true);

    const env = {
      NODE_ENV: 'production',
      PORT: '99999',
      DATABASE_URL: 'mysql://admin:hunter2-secret@db/x',
      API_KEYS: `svc:superuser:${ADMIN_HASH}`,
      LOG_FORMAT: 'pretty',
    };
    const bad = await ops(env, 'config:validate');
    expect(bad.code).toBe(1);
    expect(failures(bad.report)).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'API_KEYS', 'LOG_FORMAT']));
    const human = await runCli(['config:validate'], env);
    for (const out of [bad.stdout, human.stdout]) {
      expect(out).not.toContain('hunter2-secret');
      expect(out).not.toContain(ADMIN_HASH);
    }
    expect(human.stdout).toMatch(/\[FAIL\] PORT: "99999": expected an integer/);
  });

  it('config:validate warns (exit 0) on risky production settings and on misspelt variables', async () => {
    const result = await ops(
      {
        NODE_ENV: 'production',
        STORAGE: 'memory',
        API_KEYS: `svc:admin:${ADMIN_HASH}`,
        DATABSE_URL: 'postgres://x/y',
        SNAPSHOT_PAHT: '/tmp/x',
        HOME: '/root',
        HTTP_PROXY: 'http://proxy',
      },
      'config:validate',
    );
    expect(result.code).toBe(0);
    const warnings = result.report!.checks.filter((c) => c.status === 'warn');
    expect(warnings.map((w) => w.name)).toEqual(
      expect.arrayContaining(['STORAGE', 'REDIS_URL', 'DATABSE_URL', 'SNAPSHOT_PAHT']),
    );
    expect(check(result.report, 'STORAGE')?.detail).toContain('memory storage in production');
    expect(check(result.report, 'SNAPSHOT_PAHT')?.detail).toContain('did you mean SNAPSHOT_PATH?');
    expect(warnings.map((w) => w.name)).not.toEqual(expect.arrayContaining(['HOME']));
    expect(warnings.map((w) => w.name)).not.toEqual(expect.arrayContaining(['HTTP_PROXY']));
  });

  it('config:validate says when the embedded server is the store, and when DATABASE_URL is set but not used', async () => {
    const result = await ops({ STORAGE: 'embedded', DATABASE_URL: 'postgres://u:secret-pw@db/x' }, 'config:validate');
    expect(result.code).toBe(0);
    expect(check(result.report, 'STORAGE')?.detail).toMatch(/^embedded PostgreSQL in \//);
    expect(check(result.report, 'DATABASE_URL')?.detail).toBe('set, but not used: STORAGE=embedded (storage embedded)');
    expect(check(result.report, 'config')?.detail).not.toContain('db/x');
    expect(JSON.stringify(result.report)).not.toContain('secret-pw');
  });

  it('--env-file supplies the variables; a missing file is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rts-env-'));
    writeFileSync(join(dir, 'prod.env'), 'NODE_ENV=production\nPORT=0\n');
    const result = await runCli(['config:validate', '--env-file', join(dir, 'prod.env'), '--json'], {});
    expect(result.code).toBe(1);
    expect(failures(JSON.parse(result.stdout) as Report)).toEqual(expect.arrayContaining(['PORT', 'API_KEYS']));
    expect((await runCli(['config:validate', '--env-file', join(dir, 'none.env')], {})).code).toBe(2);
  });
});

describe('operator CLI against PostgreSQL', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeEach(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.url, STORAGE: 'postgres', MIGRATIONS_RUN: 'false' };
  });
  afterEach(() => db.drop());

  it('db:check reports version, latency, connections, pool settings and the COUNT(*) time', async () => {
    const result = await ops(env, 'db:check');
    expect(result.code).toBe(0);
    expect(result.report?.data).toMatchObject({
      server_version: expect.stringMatching(/^\d+/),
      latency_ms: expect.any(Number),
      max_connections: expect.any(Number),
      connections_used: expect.any(Number),
      pool: { max: 10, statement_timeout_ms: expect.any(Number) },
    });
    expect(check(result.report, 'thresholds.count')?.detail).toMatch(/^\d+ thresholds, COUNT\(\*\) in [\d.]+ ms$/);
  });

  it('db:check and predeploy fail naming an unreachable database', async () => {
    const closed = { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/x` };
    for (const command of ['db:check', 'db:verify-schema', 'predeploy', 'migrate']) {
      const result = await ops(closed, command);
      expect(result.code).toBe(1);
      expect(check(result.report, 'database.reachable')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('connection refused'),
      });
    }
    expect((await ops(closed, 'predeploy')).report?.verdict).toBe('NO-GO');
  });

  it('predeploy checks the OpenID provider answers its discovery document for OIDC_ISSUER', async () => {
    const provider = await startTestProvider({
      clientId: 'risk',
      clientSecret: 'secret',
      redirectUrl: 'https://risk.example.com/v1/session/oidc/callback',
      accounts: {},
    });
    try {
      const oidc = {
        ...env,
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: 'risk',
        OIDC_REDIRECT_URL: 'https://risk.example.com/v1/session/oidc/callback',
        OIDC_ROLE_MAP: '*:reader',
      };
      const up = await ops(oidc, 'predeploy');
      expect(check(up.report, 'oidc.issuer')).toMatchObject({ status: 'ok' });
      expect(up.report?.verdict).toBe('GO');
      const wrong = await ops({ ...oidc, OIDC_ISSUER: `${provider.issuer}/realms/other` }, 'predeploy');
      expect(check(wrong.report, 'oidc.issuer')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('answered 404'),
      });
      const closed = await ops({ ...oidc, OIDC_ISSUER: `http://127.0.0.1:${await freePort()}` }, 'predeploy');
      expect(check(closed.report, 'oidc.issuer')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('did not answer'),
      });
      expect(closed.report?.verdict).toBe('NO-GO');
    } finally {
      await provider.stop();
    }
  });

  it('db:verify-schema passes on a migrated database and leaves nothing behind', async () => {
    const result = await ops(env, 'db:verify-schema');
    expect(result.code).toBe(0);
    expect(check(result.report, 'schema')?.detail).toMatch(/matches the migrations: 9 tables, \d+ indexes/);
  });

  it('db:verify-schema lists the monthly partitions of score_observations, which the service creates, as no difference', async () => {
    await sql(
      db.url,
      `CREATE TABLE score_observations_2026_11 PARTITION OF score_observations FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')`,
    );
    await sql(
      db.url,
      `CREATE TABLE score_observations_2026_12 PARTITION OF score_observations FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')`,
    );
    const result = await ops(env, 'db:verify-schema');
    expect({ code: result.code, failures: failures(result.report) }).toEqual({ code: 0, failures: [] });
    expect(check(result.report, 'schema.partitions')).toMatchObject({
      status: 'ok',
      detail: 'score_observations: 2 monthly partition(s), 2026-11 to 2026-12',
    });
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const scratch = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rts_verify_%'`);
    await client.end();
    expect(scratch.rows).toEqual([]);
  });

  it('db:verify-schema names a dropped index (the partial unique default index) with the statement that restores it', async () => {
    await sql(db.url, 'DROP INDEX "UQ_risk_thresholds_active_default"');
    const result = await ops(env, 'db:verify-schema');
    expect(result.code).toBe(1);
    expect(failures(result.report)).toEqual(['index.UQ_risk_thresholds_active_default']);
    const fix = check(result.report, 'index.UQ_risk_thresholds_active_default')!.fix!;
    expect(fix).toMatch(/^CREATE UNIQUE INDEX "UQ_risk_thresholds_active_default" ON risk_thresholds .*WHERE/);
    await sql(db.url, fix); // the fix is runnable SQL, and it restores the schema
    expect((await ops(env, 'db:verify-schema')).code).toBe(0);
  });

  it('db:verify-schema names a missing table, a changed column, a missing CHECK and a foreign CHECK', async () => {
    await sql(
      db.url,
      `DROP TABLE idempotency_keys;
       ALTER TABLE risk_thresholds ALTER COLUMN name TYPE text;
       ALTER TABLE risk_thresholds DROP CONSTRAINT "CHK_risk_thresholds_priority";
       ALTER TABLE risk_threshold_history ADD CONSTRAINT stray CHECK (version < 5)`,
    );
    const result = await ops(env, 'db:verify-schema');
    expect(result.code).toBe(1);
    expect(failures(result.report).sort()).toEqual([
      'column.risk_thresholds.name',
      'constraint.CHK_risk_thresholds_priority',
      'constraint.stray',
      'table.idempotency_keys',
    ]);
    expect(check(result.report, 'column.risk_thresholds.name')).toMatchObject({
      detail: 'column risk_thresholds.name is text, expected character varying(255)',
      fix: 'ALTER TABLE "risk_thresholds" ALTER COLUMN "name" TYPE character varying(255);',
    });
    expect(check(result.report, 'constraint.CHK_risk_thresholds_priority')?.fix).toMatch(
      /^ALTER TABLE "risk_thresholds" ADD CONSTRAINT "CHK_risk_thresholds_priority" CHECK/,
    );
  });

  it('a pending migration: migrate:status and db:verify-schema name it, predeploy says NO-GO, migrate applies it', async () => {
    // The last migration undone: the database is one behind the code.
    expect((await ops(env, 'migrate:revert')).code).toBe(0);
    const status = await ops(env, 'migrate:status');
    expect(status.code).toBe(1);
    expect(status.report?.data).toMatchObject({ pending: [LAST_MIGRATION] });
    const verify = await ops(env, 'db:verify-schema');
    expect(verify.code).toBe(1);
    expect(check(verify.report, 'migrations.pending')?.detail).toContain(LAST_MIGRATION);
    const before = await ops(env, 'predeploy');
    expect(before.code).toBe(1);
    expect(before.report?.verdict).toBe('NO-GO');
    expect(failures(before.report)).toContain('migrations.pending');

    const migrate = await ops(env, 'migrate');
    expect(migrate.code).toBe(0);
    expect(migrate.report?.data).toEqual({ applied: [LAST_MIGRATION] });
    expect((await ops(env, 'migrate')).report?.checks[0].detail).toContain('nothing to do');
    expect((await ops(env, 'migrate:status')).code).toBe(0);
    const after = await ops(env, 'predeploy');
    expect(after.code).toBe(0);
    expect(after.report?.verdict).toBe('GO');
  });

  it('migrate:revert undoes the last migration, and migrate runs it again', async () => {
    const revert = await ops(env, 'migrate:revert');
    expect(revert.code).toBe(0);
    expect(revert.report?.data).toEqual({ reverted: LAST_MIGRATION });
    expect((await ops(env, 'migrate:status')).report?.data).toMatchObject({ pending: [LAST_MIGRATION] });
    expect((await ops(env, 'migrate')).code).toBe(0);
    expect((await ops(env, 'db:verify-schema')).code).toBe(0);
  });

  it('on an empty database: db:check names the missing table; MIGRATIONS_RUN=true makes predeploy GO with warnings', async () => {
    const empty = await createTestDatabase({ empty: true });
    try {
      const emptyEnv = { ...env, DATABASE_URL: empty.url };
      const checked = await ops(emptyEnv, 'db:check');
      expect(checked.code).toBe(1);
      expect(check(checked.report, 'thresholds.count')?.detail).toBe('table risk_thresholds does not exist');
      expect((await ops(emptyEnv, 'predeploy')).report?.verdict).toBe('NO-GO');
      const auto = await ops({ ...emptyEnv, MIGRATIONS_RUN: 'true' }, 'predeploy');
      expect(auto.report?.verdict).toBe('GO');
      expect(check(auto.report, 'migrations.pending')?.status).toBe('warn');
      expect((await ops(emptyEnv, 'migrate')).report?.data).toEqual({ applied: MIGRATIONS.map((M) => new M().name) });
      expect((await ops(emptyEnv, 'predeploy')).report?.verdict).toBe('GO');
    } finally {
      await empty.drop();
    }
  });

  it('predeploy says NO-GO on an invalid configuration', async () => {
    const result = await ops({ ...env, DATABASE_POOL_MAX: 'many' }, 'predeploy');
    expect(result.code).toBe(1);
    expect(result.report?.verdict).toBe('NO-GO');
    expect(failures(result.report)).toEqual(['config.DATABASE_POOL_MAX']);
  });
});

describe('scripts/', () => {
  const scripts = [
    'verify_database_schema.sh',
    'test_database_connection.sh',
    'validate_config.sh',
    'pre_deployment_check.sh',
    'post_deployment_verify.sh',
  ];
  const run = promisify(execFile);
  /** The scripts run the CLI from the sources here (`OPS_CLI`), as they run `dist/cli` in a build. */
  const scriptEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    OPS_CLI: `${process.execPath} -r ${join(ROOT, 'test/support/register-ts.js')} ${join(ROOT, 'src/cli/index.ts')}`,
    ...extra,
  });
  async function script(
    name: string,
    args: string[],
    env: Record<string, string>,
  ): Promise<{ code: number; out: string }> {
    try {
      const { stdout } = await run('bash', [join(ROOT, 'scripts', name), ...args], {
        env: scriptEnv(env),
        cwd: tmpdir(),
      });
      return { code: 0, out: stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string };
      return { code: e.code, out: e.stdout };
    }
  }

  it.each(scripts)('%s passes bash -n and uses strict mode', async (name) => {
    await run('bash', ['-n', join(ROOT, 'scripts', name)]);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(ROOT, 'scripts', name), 'utf8')).toContain('set -euo pipefail');
  });

  it('validate_config.sh runs config:validate: exit 0 when valid, 1 naming the problem', async () => {
    const ok = await script('validate_config.sh', [], { NODE_ENV: 'development' });
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('config:validate');
    const bad = await script('validate_config.sh', ['--json'], { PORT: 'eighty' });
    expect(bad.code).toBe(1);
    expect(failures(JSON.parse(bad.out) as Report)).toEqual(['PORT']);
  });

  it('verify_database_schema.sh runs db:verify-schema against DATABASE_URL', async () => {
    const db = await createTestDatabase();
    try {
      const ok = await script('verify_database_schema.sh', [], { DATABASE_URL: db.url });
      expect(ok.code).toBe(0);
      expect(ok.out).toContain('matches the migrations');
      await sql(db.url, 'DROP INDEX "IDX_risk_thresholds_priority"');
      const bad = await script('verify_database_schema.sh', [], { DATABASE_URL: db.url });
      expect(bad.code).toBe(1);
      expect(bad.out).toContain('index.IDX_risk_thresholds_priority');
      const connection = await script('test_database_connection.sh', ['--json'], { DATABASE_URL: db.url });
      expect(connection.code).toBe(0);
      expect((JSON.parse(connection.out) as Report).command).toBe('db:check');
    } finally {
      await db.drop();
    }
  });
});
