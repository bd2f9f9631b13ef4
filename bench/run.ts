/**
 * `npm run bench [-- --quick] [-- --out <dir>]`: the service as it ships (the build, NODE_ENV=production,
 * PostgreSQL, API keys, metrics and request logs on) against the fastest thing Node.js does on
 * this machine, in one run, interleaved round by round:
 *
 * - baseline: a bare `node:http` server answering a JSON body of the size of a classify answer;
 * - the service: classify, get by id, list (limit 100), match, batch classify (1000 items), and
 *   create (against a raw `pg` INSERT of the same row);
 * - at 100, 10,000 and 100,000 stored thresholds; plus start-to-ready and RSS.
 *
 * Server processes are pinned to core 0 and the load generator (autocannon, its own process) to
 * core 1 when `taskset` exists. Loopback only, every measurement bounded in time. Prints a table
 * and writes `bench/results/<date>-<mode>.json` (or into `--out`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';
import { adminQuery, startPostgresServer, withDatabase } from '@test/support/postgres';
import { freePort } from '@test/support/service-process';
import { batchBody, classifyBodies, createBody, matchQueries, seededIds, topUp } from './support/workload';

const ROOT = join(__dirname, '..');
const QUICK = process.argv.includes('--quick');
const OUT = process.argv.includes('--out')
  ? process.argv[process.argv.indexOf('--out') + 1]
  : join(ROOT, 'bench/results');
const SIZES = [100, 10_000, 100_000];
const PLAN = QUICK
  ? { rounds: 1, seconds: 1, warmup: 0, createSeconds: 1 }
  : { rounds: 3, seconds: 4, warmup: 2, createSeconds: 3 };
const CONNECTIONS = 50;
const BATCH_CONNECTIONS = 1;
const BATCH_ITEMS = 1000;
const CREATE_CONNECTIONS = 10;
const READER_KEY = 'rts_bench_reader_key_000000000000000000000000';
const EDITOR_KEY = 'rts_bench_editor_key_000000000000000000000000';

const hasTaskset = cpus().length >= 2 && spawnSync('taskset', ['-p', String(process.pid)]).status === 0;
const SERVER_CPU = '0';
const LOAD_CPU = '1';

function spawnNode(cpu: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return hasTaskset
    ? spawn('taskset', ['-c', cpu, process.execPath, ...args], options)
    : spawn(process.execPath, args, options);
}

interface Load {
  total: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

/** One autocannon measurement, in its own process on the load core. */
function load(baseUrl: string, requests: Request[], connections: number, seconds: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawnNode(
      LOAD_CPU,
      [
        join(ROOT, 'bench/support/autocannon-worker.js'),
        JSON.stringify({ url: baseUrl, connections, duration: seconds, requests }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`autocannon worker exited with ${code}`));
      else resolve(JSON.parse(out) as Load);
    });
  });
}

interface Server {
  baseUrl: string;
  child: ChildProcess;
  startToReadyMs: number;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited at start (code ${child.exitCode})`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (i > 6000) throw new Error(`${what} did not become ready`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

async function startService(env: Record<string, string>, logFile: string): Promise<Server> {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawnNode(SERVER_CPU, [join(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    stdio: ['ignore', log, log],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      METRICS_ENABLED: 'true',
      // Rate limiting runs (its cost is part of every request) with budgets the load never spends.
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_READS: '10000000',
      RATE_LIMIT_CLASSIFY: '10000000',
      RATE_LIMIT_WRITES: '10000000',
      API_KEYS: `bench-reader:reader:${sha256Hex(READER_KEY)},bench-editor:editor:${sha256Hex(EDITOR_KEY)}`,
      SHUTDOWN_DELAY_MS: '0',
      // The create row measures the direct write path (production asks for approvals by default).
      CHANGE_APPROVALS: '0',
      ...env,
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitReady(`${baseUrl}/health/ready`, child, 'the service').catch((error: Error) => {
    throw new Error(`${error.message}; its log ends with:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
  });
  return { baseUrl, child, startToReadyMs: Math.round(performance.now() - started), stop: stopper(child) };
}

async function startBaseline(bodyBytes: number): Promise<Server> {
  const child = spawnNode(SERVER_CPU, [join(ROOT, 'bench/support/baseline-server.js'), String(bodyBytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { baseUrl: `http://127.0.0.1:${port}`, child, startToReadyMs: 0, stop: stopper(child) };
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

const jsonHeaders = (key: string): Request['headers'] => ({
  'content-type': 'application/json',
  authorization: `Bearer ${key}`,
});

/** The service's endpoints as autocannon request lists. */
function endpoints(): { name: string; connections: number; requests: Request[] }[] {
  const reader = { authorization: `Bearer ${READER_KEY}` };
  return [
    {
      name: 'classify',
      connections: CONNECTIONS,
      requests: classifyBodies().map((b) => ({
        method: 'POST',
        path: '/v1/risk/classify',
        body: JSON.stringify(b),
        headers: jsonHeaders(READER_KEY),
      })),
    },
    {
      name: 'get by id',
      connections: CONNECTIONS,
      requests: seededIds().map((id) => ({ method: 'GET', path: `/v1/risk/thresholds/${id}`, headers: reader })),
    },
    {
      name: 'list 100',
      connections: CONNECTIONS,
      requests: [{ method: 'GET', path: '/v1/risk/thresholds?limit=100', headers: reader }],
    },
    {
      name: 'match',
      connections: CONNECTIONS,
      requests: matchQueries().map((path) => ({ method: 'GET', path, headers: reader })),
    },
    {
      name: `batch ${BATCH_ITEMS}`,
      connections: BATCH_CONNECTIONS,
      requests: [
        {
          method: 'POST',
          path: '/v1/risk/classify/batch',
          body: JSON.stringify(batchBody(BATCH_ITEMS)),
          headers: jsonHeaders(READER_KEY),
        },
      ],
    },
  ];
}

/**
 * Raw `pg` INSERTs of the create row through a pool of the service's size, for `seconds`, into a
 * copy of the table (same columns, checks, indexes and change-notification trigger, on a channel
 * nobody listens to): the same work for PostgreSQL, without the service re-reading every row the
 * baseline writes.
 */
async function rawInserts(pool: Pool, seconds: number, concurrency: number): Promise<number> {
  const body = createBody();
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const now = new Date();
        await pool.query(
          `INSERT INTO bench_raw_thresholds (id, name, description, category, industry_code, business_type, risk_levels,
             is_default, is_active, priority, metadata, version, created_at, updated_at, created_by, last_modified_by)
           VALUES (gen_random_uuid(), $1, NULL, $2, $3, $4, $5, false, true, $6, $7, 1, $8, $8, 'bench', 'bench')`,
          [
            body.name,
            body.category,
            body.industry_code,
            body.business_type,
            JSON.stringify(body.risk_levels),
            body.priority,
            JSON.stringify(body.metadata),
            now,
          ],
        );
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  endpoint: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  ratio: number;
  baseline: string;
  non2xx: number;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    pinned: hasTaskset
      ? `service and baseline on core ${SERVER_CPU}, load generator on core ${LOAD_CPU}`
      : 'no taskset: not pinned',
  };
  process.stdout.write(
    `bench (${QUICK ? 'quick' : 'full'}): ${machine.cores} cores, ${machine.cpu}, Node.js ${machine.node}; ${machine.pinned}\n`,
  );
  const postgres = await startPostgresServer();
  process.stdout.write(`PostgreSQL: ${postgres.description}\n`);
  const dbName = `rts_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(postgres.adminUrl, `CREATE DATABASE "${dbName}"`);
  const url = withDatabase(postgres.adminUrl, dbName);
  const logFile = join(OUT, `.service-${dbName}.log`);
  mkdirSync(OUT, { recursive: true });
  const results: Record<string, unknown>[] = [];
  try {
    const dataSource = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: url }).database!));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.query(`CREATE TABLE bench_raw_thresholds (LIKE risk_thresholds INCLUDING ALL)`);
    await dataSource.query(`
      CREATE FUNCTION bench_raw_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('bench_raw_changes', NEW.id::text || ':' || NEW.version::text); RETURN NULL; END $$`);
    await dataSource.query(
      `CREATE TRIGGER bench_raw_notify AFTER INSERT OR UPDATE OR DELETE ON bench_raw_thresholds FOR EACH ROW EXECUTE FUNCTION bench_raw_notify()`,
    );
    await dataSource.destroy();

    const memory = await startService({ STORAGE: 'memory' }, logFile);
    const memoryStart = { startToReadyMs: memory.startToReadyMs, ...rssMb(memory.child.pid!) };
    const probe = await fetch(`${memory.baseUrl}/v1/risk/classify`, {
      method: 'POST',
      headers: jsonHeaders(READER_KEY),
      body: JSON.stringify(classifyBodies()[0]),
    });
    const classifyBytes = (await probe.text()).length;
    await memory.stop();
    process.stdout.write(
      `memory mode: ready in ${memoryStart.startToReadyMs} ms; classify answer ${classifyBytes} bytes\n`,
    );

    const embedded = await embeddedStarts(logFile);
    process.stdout.write(
      `embedded PostgreSQL: first start (initdb) ready in ${embedded.firstStartMs} ms, restart ready in ${embedded.restartMs} ms; a threshold created before the restart was there after it\n`,
    );

    const baseline = await startBaseline(classifyBytes);
    const client = new Client({ connectionString: url });
    await client.connect();
    const pool = new Pool({ connectionString: url, max: CREATE_CONNECTIONS });
    try {
      for (const size of SIZES) {
        await topUp(client, size);
        await client.query('VACUUM ANALYZE risk_thresholds');
        const service = await startService(
          { STORAGE: 'postgres', DATABASE_URL: url, MIGRATIONS_RUN: 'false' },
          logFile,
        );
        const rows: Row[] = [];
        try {
          const targets = endpoints();
          // Warm-up: JIT and connection set-up, not measured (none in quick mode: its figures are not the point).
          if (PLAN.warmup > 0) {
            await load(baseline.baseUrl, [{ method: 'POST', path: '/', body: '{}' }], CONNECTIONS, PLAN.warmup);
            for (const e of targets) await load(service.baseUrl, e.requests, e.connections, PLAN.warmup);
          }
          const samples = new Map<string, Load[]>();
          const add = (name: string, l: Load): void => void samples.set(name, [...(samples.get(name) ?? []), l]);
          for (let round = 0; round < PLAN.rounds; round++) {
            add(
              'baseline',
              await load(baseline.baseUrl, [{ method: 'POST', path: '/', body: '{}' }], CONNECTIONS, PLAN.seconds),
            );
            for (const e of targets) add(e.name, await load(service.baseUrl, e.requests, e.connections, PLAN.seconds));
          }
          const base = median(samples.get('baseline')!.map((l) => l.rps));
          const row = (name: string, connections: number, baselineName: string, baseRps: number): Row => {
            const ls = samples.get(name)!;
            return {
              endpoint: name,
              connections,
              rps: Math.round(median(ls.map((l) => l.rps))),
              p50: median(ls.map((l) => l.p50)),
              p99: median(ls.map((l) => l.p99)),
              ratio: Math.round((median(ls.map((l) => l.rps)) / baseRps) * 100) / 100,
              baseline: baselineName,
              non2xx: ls.reduce((n, l) => n + l.non2xx + l.errors, 0),
            };
          };
          rows.push(row('baseline', CONNECTIONS, 'node:http', base));
          for (const e of targets) rows.push(row(e.name, e.connections, 'node:http', base));

          // Create: the service against raw INSERTs of the same row, alternating.
          const createRequests: Request[] = [
            {
              method: 'POST',
              path: '/v1/admin/risk/thresholds',
              body: JSON.stringify(createBody()),
              headers: jsonHeaders(EDITOR_KEY),
            },
          ];
          if (PLAN.warmup > 0) await load(service.baseUrl, createRequests, CREATE_CONNECTIONS, PLAN.warmup);
          const inserts: number[] = [];
          for (let round = 0; round < PLAN.rounds; round++) {
            inserts.push(await rawInserts(pool, PLAN.createSeconds, CREATE_CONNECTIONS));
            add('create', await load(service.baseUrl, createRequests, CREATE_CONNECTIONS, PLAN.createSeconds));
          }
          rows.push({
            endpoint: 'raw pg INSERT',
            connections: CREATE_CONNECTIONS,
            rps: Math.round(median(inserts)),
            p50: 0,
            p99: 0,
            ratio: 1,
            baseline: 'raw pg INSERT',
            non2xx: 0,
          });
          rows.push(row('create', CREATE_CONNECTIONS, 'raw pg INSERT', median(inserts)));
          const memoryUse = rssMb(service.child.pid!);
          results.push({
            size,
            startToReadyMs: service.startToReadyMs,
            rssMb: memoryUse.rss,
            peakRssMb: memoryUse.peak,
            rows,
          });
          printSize(size, service.startToReadyMs, memoryUse, rows);
        } finally {
          await service.stop();
          await client.query(
            `DELETE FROM risk_threshold_history WHERE threshold_id IN (SELECT id FROM risk_thresholds WHERE name = 'bench-create')`,
          );
          await client.query(`DELETE FROM risk_thresholds WHERE name = 'bench-create'`);
          await client.query(`TRUNCATE bench_raw_thresholds`);
        }
      }
    } finally {
      await pool.end();
      await client.end();
      await baseline.stop();
    }
    const report = {
      date: startedAt.toISOString(),
      mode: QUICK ? 'quick' : 'full',
      machine,
      plan: {
        ...PLAN,
        connections: CONNECTIONS,
        batchConnections: BATCH_CONNECTIONS,
        createConnections: CREATE_CONNECTIONS,
      },
      memoryMode: memoryStart,
      embedded,
      sizes: results,
      targets: evaluate(memoryStart.startToReadyMs, embedded, results as unknown as SizeResult[]),
      durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    };
    printTargets(report.targets);
    const file = join(OUT, `${startedAt.toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${report.mode}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nwrote ${file} (${report.durationS} s)\n`);
  } finally {
    await adminQuery(postgres.adminUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await postgres.stop();
  }
}

interface SizeResult {
  size: number;
  startToReadyMs: number;
  rssMb: number;
  rows: Row[];
}

interface Target {
  target: string;
  value: string;
  met: boolean;
}

/**
 * The zero-setup default: the built service without DATABASE_URL (development) starts its own
 * PostgreSQL in an empty DATA_DIR (initdb, migrations, seeds), is stopped with SIGTERM after a
 * write, and started again on the same data; the write must be there.
 */
async function embeddedStarts(logFile: string): Promise<{ firstStartMs: number; restartMs: number }> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'rts-bench-embedded-')), 'data');
  const env = { NODE_ENV: 'development', STORAGE: 'auto', DATA_DIR: dataDir };
  try {
    const first = await startService(env, logFile);
    const created = await fetch(`${first.baseUrl}/v1/admin/risk/thresholds`, {
      method: 'POST',
      headers: jsonHeaders(EDITOR_KEY),
      body: JSON.stringify(createBody()),
    });
    const { id } = (await created.json()) as { id: string };
    await first.stop();
    const second = await startService(env, logFile);
    const found = await fetch(`${second.baseUrl}/v1/admin/risk/thresholds/${id}`, { headers: jsonHeaders(EDITOR_KEY) });
    await second.stop();
    if (created.status !== 201 || found.status !== 200) {
      throw new Error(
        `embedded storage did not keep a threshold across a restart (${created.status}, ${found.status})`,
      );
    }
    return { firstStartMs: first.startToReadyMs, restartMs: second.startToReadyMs };
  } finally {
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  }
}

function evaluate(
  memoryReadyMs: number,
  embedded: { firstStartMs: number; restartMs: number },
  sizes: SizeResult[],
): Target[] {
  const at = (size: number, endpoint: string): Row =>
    sizes.find((s) => s.size === size)!.rows.find((r) => r.endpoint === endpoint)!;
  const targets: Target[] = [];
  for (const endpoint of ['classify', 'get by id']) {
    for (const { size } of sizes) {
      const r = at(size, endpoint);
      targets.push({
        target: `${endpoint} @ ${size}: >= 0.5 of node:http`,
        value: r.ratio.toFixed(2),
        met: r.ratio >= 0.5,
      });
      targets.push({
        target: `${endpoint} @ ${size}: p99 <= 10 ms (50 connections)`,
        value: `${r.p99} ms`,
        met: r.p99 <= 10,
      });
    }
    const ratio = at(100_000, endpoint).rps / at(100, endpoint).rps;
    targets.push({
      target: `${endpoint}: 100,000 thresholds >= 0.9 of 100`,
      value: ratio.toFixed(2),
      met: ratio >= 0.9,
    });
  }
  for (const { size } of sizes) {
    const batch = at(size, `batch ${BATCH_ITEMS}`);
    targets.push({
      target: `batch of ${BATCH_ITEMS} @ ${size}: p50 <= 10 ms`,
      value: `${batch.p50} ms`,
      met: batch.p50 <= 10,
    });
    const create = at(size, 'create');
    targets.push({
      target: `create @ ${size}: >= 0.5 of raw pg INSERT`,
      value: create.ratio.toFixed(2),
      met: create.ratio >= 0.5,
    });
  }
  const largest = sizes.find((s) => s.size === 100_000)!;
  targets.push({
    target: 'RSS with 100,000 thresholds <= 256 MB',
    value: `${largest.rssMb} MB`,
    met: largest.rssMb <= 256,
  });
  targets.push({
    target: 'start to ready, memory mode <= 2 s',
    value: `${memoryReadyMs} ms`,
    met: memoryReadyMs <= 2000,
  });
  targets.push({
    target: 'start to ready, embedded PostgreSQL, first start (initdb) <= 6 s',
    value: `${embedded.firstStartMs} ms`,
    met: embedded.firstStartMs <= 6000,
  });
  targets.push({
    target: 'start to ready, embedded PostgreSQL, restart <= 4 s',
    value: `${embedded.restartMs} ms`,
    met: embedded.restartMs <= 4000,
  });
  targets.push({
    target: 'start to ready, 100,000 thresholds in PostgreSQL <= 5 s',
    value: `${largest.startToReadyMs} ms`,
    met: largest.startToReadyMs <= 5000,
  });
  const errors = sizes.reduce((n, s) => n + s.rows.reduce((m, r) => m + r.non2xx, 0), 0);
  targets.push({ target: 'no error answers under load', value: String(errors), met: errors === 0 });
  return targets;
}

function printSize(size: number, readyMs: number, memory: { rss: number; peak: number }, rows: Row[]): void {
  const lines = [
    '',
    `${size.toLocaleString('en')} thresholds: ready in ${readyMs} ms, RSS ${memory.rss} MB (peak ${memory.peak} MB)`,
    '| endpoint | conns | req/s | p50 ms | p99 ms | ratio | vs | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.endpoint} | ${r.connections} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.ratio.toFixed(2)} | ${r.baseline} | ${r.non2xx} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printTargets(targets: Target[]): void {
  const lines = [
    '',
    '| target | measured | met |',
    '| --- | ---: | --- |',
    ...targets.map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'yes' : 'NO'} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
