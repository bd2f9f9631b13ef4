/**
 * `npm run bench [-- --quick] [-- --out <dir>]`: the service as it ships (the build, NODE_ENV=production,
 * PostgreSQL, API keys, metrics and request logs on) against the fastest thing Node.js does on
 * this machine, in one run, interleaved round by round:
 *
 * - baseline: a bare `node:http` server answering a JSON body of the size of a classify answer;
 * - the service: classify, get by id, list (limit 100), match, batch classify (1000 items), and
 *   create (against a raw `pg` INSERT of the same row);
 * - at 100, 10,000 and 100,000 stored thresholds; plus start-to-ready and RSS;
 * - change management at 10,000 thresholds with 100,000 history rows: past decisions (`as_of`)
 *   and the apply of a 1000-item change request against an import of the same 1000 changes.
 *
 * Server processes are pinned to core 0 and the load generator (autocannon, its own process) to
 * core 1 when `taskset` exists. Loopback only, every measurement bounded in time. Prints a table
 * and writes `bench/results/<date>-<mode>.json` (or into `--out`).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';
import { ScoreCounter, type Counted } from '@app/modules/observations/capture/score-counter';
import { PostgresObservationStore } from '@app/modules/observations/persistence/postgres/postgres-observation.store';
import { CATEGORIES } from '@app/modules/thresholds/domain/threshold';
import { adminQuery, startPostgresServer, withDatabase } from '@test/support/postgres';
import {
  ADMIN_KEY,
  cpuSeconds,
  EDITOR_KEY,
  fixedRate,
  type FixedRate,
  type Server,
  hasTaskset,
  jsonHeaders,
  load,
  LOAD_CPU,
  median,
  READER_KEY,
  rssMb,
  SERVER_CPU,
  startBaseline,
  startService,
  type Load,
  type Request,
} from './support/harness';
import {
  batchBody,
  classifyBodies,
  createBody,
  matchQueries,
  seededHistory,
  seededIds,
  topUp,
} from './support/workload';

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
const CHANGE_SIZE = 10_000;
const HISTORY_ROWS = 100_000;
const APPLY_ITEMS = 1000;

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

interface Row {
  endpoint: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  ratio: number;
  baseline: string;
  non2xx: number;
  /** Process CPU time per request (µs), where measured (the service's and the baseline's rows). */
  cpuUs?: number;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const revision = revisionOf(ROOT);
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    pinned: hasTaskset
      ? `service and baseline on core ${SERVER_CPU}, load generator on core ${LOAD_CPU}`
      : 'no taskset: not pinned',
  };
  process.stdout.write(
    `bench (${QUICK ? 'quick' : 'full'}) of ${revision}: ${machine.cores} cores, ${machine.cpu}, Node.js ${machine.node}; ${machine.pinned}\n`,
  );
  const postgres = await startPostgresServer();
  process.stdout.write(`PostgreSQL: ${postgres.description}\n`);
  const dbName = `rts_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(postgres.adminUrl, `CREATE DATABASE "${dbName}"`);
  const url = withDatabase(postgres.adminUrl, dbName);
  const logFile = join(OUT, `.service-${dbName}.log`);
  mkdirSync(OUT, { recursive: true });
  const results: Record<string, unknown>[] = [];
  let changes: ChangeResult | undefined;
  let observations: ObservationsResult | undefined;
  let latency: LatencyRow[] = [];
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

    const capture = await captureCost(logFile);
    printCapture(capture);

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
        const history = size === CHANGE_SIZE ? await seededHistory(client, HISTORY_ROWS) : undefined;
        await client.query('VACUUM ANALYZE risk_thresholds');
        await client.query('VACUUM ANALYZE risk_threshold_history');
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
          const samples = new Map<string, (Load & { cpuUs?: number })[]>();
          const add = (name: string, l: Load & { cpuUs?: number }): void =>
            void samples.set(name, [...(samples.get(name) ?? []), l]);
          for (let round = 0; round < PLAN.rounds; round++) {
            add(
              'baseline',
              await measured(baseline, [{ method: 'POST', path: '/', body: '{}' }], CONNECTIONS, PLAN.seconds),
            );
            for (const e of targets) add(e.name, await measured(service, e.requests, e.connections, PLAN.seconds));
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
              ...(ls[0].cpuUs === undefined ? {} : { cpuUs: Math.round(median(ls.map((l) => l.cpuUs!))) }),
            };
          };
          rows.push(row('baseline', CONNECTIONS, 'node:http', base));
          for (const e of targets) rows.push(row(e.name, e.connections, 'node:http', base));
          // Latency at fixed offered rates, at the first size only (it does not depend on the size).
          if (size === SIZES[0]) latency = await latencyAtRates(service, baseline);

          // Before the creates: their rows would be thresholds written since every past instant.
          if (history) {
            changes = await changeManagement(service.baseUrl, client, history);
            observations = await observationsBench(service.baseUrl, client, url);
          }

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
          if (size === SIZES[0]) printLatency(latency);
          if (changes && history) printChanges(changes);
          if (observations && history) printObservations(observations);
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
      revision,
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
      latency,
      changeManagement: changes,
      capture,
      observations,
      targets: [
        ...evaluate(memoryStart.startToReadyMs, embedded, results as unknown as SizeResult[], changes),
        ...latencyTargets(latency),
        ...observationTargets(capture, observations),
      ],
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

interface CaptureResult {
  rounds: number;
  on: { rps: number; cpuUsPerRequest: number };
  off: { rps: number; cpuUsPerRequest: number };
  /** Median over rounds of on / off req/s (each round measures both, back to back). */
  ratio: number;
  /** Median over rounds of on / off CPU per request. */
  cpuRatio: number;
  /** What counting one classification costs, in process (ns), and its share of a classify request's CPU. */
  countNs: number;
  countShare: number;
}

/**
 * What score capture costs on the classify path (CONTRACT §8.1: at most 5 %): two builds of the
 * same service on memory storage, SCORE_CAPTURE=true and false, measured alternately round by
 * round with the same 16 requests (their keys are seen again and again, as in production).
 */
async function captureCost(logFile: string): Promise<CaptureResult> {
  const requests = classifyBodies().map((b) => ({
    method: 'POST' as const,
    path: '/v1/risk/classify',
    body: JSON.stringify(b),
    headers: jsonHeaders(READER_KEY),
  }));
  const on = await startService({ STORAGE: 'memory', SCORE_CAPTURE: 'true' }, logFile);
  const off = await startService({ STORAGE: 'memory', SCORE_CAPTURE: 'false' }, logFile);
  const samples = { on: [] as { rps: number; cpu: number }[], off: [] as { rps: number; cpu: number }[] };
  try {
    if (PLAN.warmup > 0) for (const s of [on, off]) await load(s.baseUrl, requests, CONNECTIONS, PLAN.warmup);
    const rounds = QUICK ? 1 : 3 * PLAN.rounds;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of order) {
        const server = which === 'on' ? on : off;
        const before = cpuSeconds(server.child.pid!);
        const l = await load(server.baseUrl, requests, CONNECTIONS, PLAN.seconds);
        samples[which].push({
          rps: l.rps,
          cpu: ((cpuSeconds(server.child.pid!) - before) / Math.max(1, l.total)) * 1e6,
        });
      }
    }
    const summary = (xs: { rps: number; cpu: number }[]): { rps: number; cpuUsPerRequest: number } => ({
      rps: Math.round(median(xs.map((x) => x.rps))),
      cpuUsPerRequest: Math.round(median(xs.map((x) => x.cpu))),
    });
    const paired = (f: (x: { rps: number; cpu: number }) => number): number =>
      Math.round(median(samples.on.map((on, i) => f(on) / f(samples.off[i]))) * 100) / 100;
    const offSummary = summary(samples.off);
    const countNs = countCost();
    return {
      rounds,
      on: summary(samples.on),
      off: offSummary,
      ratio: paired((x) => x.rps),
      cpuRatio: paired((x) => x.cpu),
      countNs,
      countShare: Math.round((countNs / (offSummary.cpuUsPerRequest * 1000)) * 10_000) / 10_000,
    };
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
}

/** ScoreCounter.count in a loop over requests parsed from JSON (fresh strings, as each request has): ns per call. */
function countCost(): number {
  const counter = new ScoreCounter(200_000);
  const bodies = classifyBodies().map((b) =>
    JSON.stringify({ ...b, industryCode: b.industry_code, businessType: b.business_type }),
  );
  const requests = Array.from({ length: 1000 }, (_, i) => JSON.parse(bodies[i % bodies.length]) as Counted);
  const calls = 2_000_000;
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) counter.count(requests[i % 1000]);
    runs.push(Number(process.hrtime.bigint() - started) / calls);
  }
  return Math.round(median(runs));
}

function printCapture(c: CaptureResult): void {
  process.stdout.write(
    `score capture (memory storage, classify, ${c.rounds} interleaved rounds, medians): on ${c.on.rps} req/s, ${c.on.cpuUsPerRequest} µs CPU/request; ` +
      `off ${c.off.rps} req/s, ${c.off.cpuUsPerRequest} µs CPU/request; on/off per round: req/s ${c.ratio.toFixed(2)}, CPU ${c.cpuRatio.toFixed(2)}; ` +
      `counting one classification: ${c.countNs} ns in process (${(c.countShare * 100).toFixed(2)} % of a request's CPU)\n`,
  );
}

interface ObservationsResult {
  keys: number;
  days: number;
  impactMs: number[];
  medianImpactMs: number;
  flush: { keys: number; ms: number; walBytes: number; rowsPerSecond: number };
}

/**
 * Impact analysis and flushing at scale (CONTRACT §8.3): 100,000 distinct observation keys over
 * the last 30 days in the store, then `POST /v1/admin/risk/impact` with a band move, one request
 * at a time; and one flush of 200,000 keys through the PostgreSQL store (time and the WAL it
 * wrote: the database's share of the work), into days outside the impact window.
 */
async function observationsBench(baseUrl: string, client: Client, url: string): Promise<ObservationsResult> {
  const KEYS = 100_000;
  const DAYS = 30;
  await client.query(
    `DO $$ DECLARE m date; BEGIN
       FOR m IN SELECT generate_series(date_trunc('month', now() - interval '120 days'), date_trunc('month', now()), interval '1 month')::date LOOP
         EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF score_observations FOR VALUES FROM (%L) TO (%L)',
           'score_observations_' || to_char(m, 'YYYY_MM'), m, (m + interval '1 month')::date);
       END LOOP; END $$`,
  );
  // Distinct keys: categories x industry codes (of the seeded thresholds) x business types x scores.
  await client.query(
    `INSERT INTO score_observations (day, category, industry_code, business_type, score, count)
     SELECT (now() - make_interval(days => i % $2))::date,
            ($3::text[])[1 + i % 8],
            lpad(((i::bigint * 7919) % 100000)::text, 5, '0'),
            CASE WHEN i % 4 = 0 THEN 'type-' || (i % 20) ELSE '' END,
            (i % 10001) / 100.0,
            1 + i % 7
       FROM generate_series(1, $1) AS i
     ON CONFLICT DO NOTHING`,
    [KEYS, DAYS, [...CATEGORIES]],
  );
  await client.query('ANALYZE score_observations');
  const target = (
    await client.query<{ id: string; version: number }>(
      `SELECT id, version FROM risk_thresholds WHERE metadata ? 'bench' ORDER BY (metadata->>'bench')::int LIMIT 1`,
    )
  ).rows[0];
  const impactMs: number[] = [];
  for (let i = 0; i < (QUICK ? 2 : 7); i++) {
    const started = performance.now();
    const res = await fetch(`${baseUrl}/v1/admin/risk/impact`, {
      method: 'POST',
      headers: jsonHeaders(EDITOR_KEY),
      body: JSON.stringify({
        items: [
          {
            op: 'update',
            threshold_id: target.id,
            base_version: target.version,
            threshold: { risk_levels: { low: 5, medium: 25 + i, high: 55, critical: 80 } },
          },
          {
            op: 'create',
            threshold: {
              name: 'bench impact',
              category: 'financial',
              industry_code: '5',
              risk_levels: { low: 1, medium: 2, high: 3, critical: 4 },
            },
          },
        ],
      }),
    });
    const body = (await res.json()) as { observations?: number };
    if (res.status !== 200 || body.observations === undefined)
      throw new Error(`impact: ${res.status} ${JSON.stringify(body)}`);
    impactMs.push(Math.round(performance.now() - started));
  }

  // One flush of 200,000 keys, through the store the service flushes with, 60-89 days back.
  const FLUSH_KEYS = 200_000;
  const day = (i: number): string => new Date(Date.now() - (60 + (i % 30)) * 86_400_000).toISOString().slice(0, 10);
  const batch = Array.from({ length: FLUSH_KEYS }, (_, i) => ({
    day: day(i),
    category: CATEGORIES[i % 8],
    industryCode: String((i * 7919) % 100000).padStart(5, '0'),
    businessType: i % 4 === 0 ? `type-${i % 20}` : '',
    score: Math.floor(i / 30) % 10_001,
    count: 1 + (i % 5),
  }));
  const dataSource = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: url }).database!));
  await dataSource.initialize();
  try {
    const store = new PostgresObservationStore(dataSource);
    await store.prepare(day(29), day(0));
    const wal = async (): Promise<string> =>
      (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
    const walBefore = await wal();
    const started = performance.now();
    await store.add(batch);
    const ms = Math.round(performance.now() - started);
    const walBytes = Number(
      (await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS bytes', [walBefore]))
        .rows[0].bytes,
    );
    return {
      keys: KEYS,
      days: DAYS,
      impactMs,
      medianImpactMs: median(impactMs),
      flush: { keys: FLUSH_KEYS, ms, walBytes, rowsPerSecond: Math.round(FLUSH_KEYS / (ms / 1000)) },
    };
  } finally {
    await dataSource.destroy();
  }
}

function printObservations(o: ObservationsResult): void {
  process.stdout.write(
    `impact over ${o.days} days with ${o.keys.toLocaleString('en')} distinct keys: median ${o.medianImpactMs} ms (${o.impactMs.join(', ')}); ` +
      `one flush of ${o.flush.keys.toLocaleString('en')} keys: ${o.flush.ms} ms (${o.flush.rowsPerSecond} keys/s), ${Math.round(o.flush.walBytes / 1048576)} MB of WAL\n`,
  );
}

function observationTargets(capture: CaptureResult, o: ObservationsResult | undefined): Target[] {
  return [
    {
      target: 'classify with score capture on >= 0.95 of off (req/s)',
      value: capture.ratio.toFixed(2),
      met: capture.ratio >= 0.95,
    },
    ...(o
      ? [
          {
            target: `impact over ${o.days} days, ${o.keys.toLocaleString('en')} keys <= 1 s`,
            value: `${o.medianImpactMs} ms`,
            met: o.medianImpactMs <= 1000,
          },
        ]
      : []),
  ];
}

interface PastTiming {
  name: string;
  requests: number;
  medianMs: number;
  maxMs: number;
  non2xx: number;
}

interface ChangeResult {
  thresholds: number;
  historyRows: number;
  asOf: PastTiming[];
  apply: {
    items: number;
    rounds: number;
    requestMs: number[];
    importMs: number[];
    medianRequestMs: number;
    medianImportMs: number;
  };
}

/**
 * Change management at 10,000 thresholds and 100,000 history rows (CONTRACT §7): past decisions
 * (`POST /v1/admin/risk/classify` with `as_of`), one at a time, at instants in the last hour of
 * the history (the trails of a few thresholds walked back) and in its first day (nearly every
 * trail walked back); and the apply of a 1000-item change request (updates of 1000 thresholds with
 * their base versions) against the import of the same 1000 changes (the one atomic step apply
 * rides on, without the request), alternating.
 */
async function changeManagement(
  baseUrl: string,
  client: Client,
  history: { first: Date; last: Date },
): Promise<ChangeResult> {
  const span = history.last.getTime() - history.first.getTime();
  // One request at a time: a past decision is an auditor's question, its latency is the point.
  const past = async (name: string, from: number, to: number): Promise<PastTiming> => {
    const count = QUICK ? 4 : 16;
    const ms: number[] = [];
    let failed = 0;
    for (let k = 0; k < count; k++) {
      const body = { ...classifyBodies()[k], as_of: new Date(from + ((to - from) * k) / count).toISOString() };
      const started = performance.now();
      const res = await fetch(`${baseUrl}/v1/admin/risk/classify`, {
        method: 'POST',
        headers: jsonHeaders(EDITOR_KEY),
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      ms.push(Math.round(performance.now() - started));
      if (res.status !== 200) failed++;
    }
    return { name, requests: count, medianMs: median(ms), maxMs: Math.max(...ms), non2xx: failed };
  };
  const asOf = [
    await past('as_of in the last hour of history', history.last.getTime() - 3_600_000, history.last.getTime()),
    await past('as_of in the first day of history', history.first.getTime(), history.first.getTime() + span / 10),
  ];

  // The change request by an editor; export and import (the baseline) need an admin.
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    key = EDITOR_KEY,
  ): Promise<{ ms: number; json: unknown }> => {
    const started = performance.now();
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? { authorization: `Bearer ${key}` } : jsonHeaders(key),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json: unknown = res.status === 204 ? null : await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return { ms: performance.now() - started, json };
  };
  const targets = async (): Promise<{ id: string; version: number; b: number }[]> =>
    (
      await client.query<{ id: string; version: number; b: number }>(
        `SELECT id, version, (metadata->>'bench')::int AS b FROM risk_thresholds
          WHERE metadata ? 'bench' ORDER BY (metadata->>'bench')::int LIMIT $1`,
        [APPLY_ITEMS],
      )
    ).rows;
  const bands = (b: number, round: number): Record<string, number> => ({
    low: 5 + ((b + round) % 5),
    medium: 25 + ((b + round) % 5),
    high: 55 + ((b + round) % 5),
    critical: 80 + ((b + round) % 5),
  });
  const rounds = QUICK ? 1 : 5;
  const requestMs: number[] = [];
  const importMs: number[] = [];
  for (let round = 0; round < 2 * rounds; round++) {
    const rows = await targets();
    if (round % 2 === 0) {
      const created = await call('POST', '/v1/admin/risk/change-requests', {
        title: `bench apply ${round}`,
        reason: 'Benchmark: apply of a 1000-item change request.',
        items: rows.map((r) => ({
          op: 'update',
          threshold_id: r.id,
          base_version: r.version,
          threshold: { risk_levels: bands(r.b, round) },
        })),
      });
      const { id } = created.json as { id: string };
      const applied = await call('POST', `/v1/admin/risk/change-requests/${id}/apply`);
      if ((applied.json as { state: string }).state !== 'applied')
        throw new Error('the change request was not applied');
      requestMs.push(Math.round(applied.ms));
    } else {
      const ids = new Set(rows.map((r) => r.id));
      const exported = (await call('GET', '/v1/admin/risk/threshold-export', undefined, ADMIN_KEY)).json as {
        id: string;
        metadata: { bench: number };
      }[];
      const items = exported
        .filter((t) => ids.has(t.id))
        .map((t) => ({ ...t, risk_levels: bands(t.metadata.bench, round) }));
      importMs.push(
        Math.round((await call('POST', '/v1/admin/risk/threshold-import?mode=upsert', items, ADMIN_KEY)).ms),
      );
    }
  }
  return {
    thresholds: CHANGE_SIZE,
    historyRows: HISTORY_ROWS,
    asOf,
    apply: {
      items: APPLY_ITEMS,
      rounds,
      requestMs,
      importMs,
      medianRequestMs: median(requestMs),
      medianImportMs: median(importMs),
    },
  };
}

function printChanges(c: ChangeResult): void {
  const lines = [
    '',
    `change management @ ${c.thresholds.toLocaleString('en')} thresholds, ${c.historyRows.toLocaleString('en')} history rows`,
    '| past decision | requests | median ms | max ms | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...c.asOf.map((r) => `| ${r.name} | ${r.requests} | ${r.medianMs} | ${r.maxMs} | ${r.non2xx} |`),
    `apply of a ${c.apply.items}-item change request: median ${c.apply.medianRequestMs} ms (${c.apply.requestMs.join(', ')}); ` +
      `import of the same ${c.apply.items} changes: median ${c.apply.medianImportMs} ms (${c.apply.importMs.join(', ')})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
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
  changes: ChangeResult | undefined,
): Target[] {
  const at = (size: number, endpoint: string): Row =>
    sizes.find((s) => s.size === size)!.rows.find((r) => r.endpoint === endpoint)!;
  const targets: Target[] = [];
  for (const endpoint of ['classify', 'get by id']) {
    for (const { size } of sizes) {
      const r = at(size, endpoint);
      const cpu = r.cpuUs! / at(size, 'baseline').cpuUs!;
      targets.push({
        target: `${endpoint} @ ${size}: >= 0.40 of node:http`,
        value: r.ratio.toFixed(2),
        met: r.ratio >= 0.4,
      });
      targets.push({
        target: `${endpoint} @ ${size}: CPU per request <= 2.5x node:http's`,
        value: `${cpu.toFixed(2)}x (${r.cpuUs} µs)`,
        met: cpu <= 2.5,
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
    // 3x the list's req/s before issue #20, which served 0.05 of node:http (2026-12-02) at every size.
    const list = at(size, 'list 100');
    targets.push({
      target: `list of 100 @ ${size}: >= 0.15 of node:http (3x the 0.04-0.06 of the last run before #20)`,
      value: list.ratio.toFixed(2),
      met: list.ratio >= 0.15,
    });
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
  const errors =
    sizes.reduce((n, s) => n + s.rows.reduce((m, r) => m + r.non2xx, 0), 0) +
    (changes?.asOf.reduce((n, r) => n + r.non2xx, 0) ?? 0);
  targets.push({ target: 'no error answers under load', value: String(errors), met: errors === 0 });
  return targets;
}

function printSize(size: number, readyMs: number, memory: { rss: number; peak: number }, rows: Row[]): void {
  const lines = [
    '',
    `${size.toLocaleString('en')} thresholds: ready in ${readyMs} ms, RSS ${memory.rss} MB (peak ${memory.peak} MB)`,
    '| endpoint | conns | req/s | p50 ms | p99 ms | ratio | vs | CPU µs/req | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.endpoint} | ${r.connections} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.ratio.toFixed(2)} | ${r.baseline} | ${r.cpuUs ?? ''} | ${r.non2xx} |`,
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

/** The commit measured, `+changes` when the working tree differs from it ('unknown' outside git). */
function revisionOf(root: string): string {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** One autocannon measurement with the server's CPU time per request (process CPU seconds / requests). */
async function measured(
  server: Server,
  requests: Request[],
  connections: number,
  seconds: number,
): Promise<Load & { cpuUs: number }> {
  const before = cpuSeconds(server.child.pid!);
  const l = await load(server.baseUrl, requests, connections, seconds);
  return { ...l, cpuUs: ((cpuSeconds(server.child.pid!) - before) / Math.max(1, l.total)) * 1e6 };
}

const RATES = [500, 1000, 2000, 5000];
const LATENCY_CONNECTIONS = 20;

interface LatencyRow {
  rate: number;
  /** Medians over the rounds, ms. */
  baseline: { p50: number; p99: number };
  classify: { p50: number; p99: number };
  rounds: number;
  errors: number;
}

/**
 * Classify at fixed offered rates against the baseline at the same rates (an open-loop generator,
 * `fixed-rate-worker.js`: latency in µs, queueing included): rounds interleaved, the order
 * alternating, each figure the median of the rounds.
 */
async function latencyAtRates(service: Server, baseline: Server): Promise<LatencyRow[]> {
  const classify = classifyBodies().map((b) => ({
    method: 'POST' as const,
    path: '/v1/risk/classify',
    body: JSON.stringify(b),
    headers: jsonHeaders(READER_KEY),
  }));
  const bare = [{ method: 'POST' as const, path: '/', body: '{}' }];
  const rounds = QUICK ? 1 : 5;
  const seconds = QUICK ? 1 : 5;
  const rows: LatencyRow[] = [];
  for (const rate of RATES) {
    const samples = { baseline: [] as FixedRate[], classify: [] as FixedRate[] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['baseline', 'classify'] as const) : (['classify', 'baseline'] as const);
      for (const which of order) {
        const server = which === 'baseline' ? baseline : service;
        samples[which].push(
          await fixedRate(server.baseUrl, which === 'baseline' ? bare : classify, rate, seconds, LATENCY_CONNECTIONS),
        );
      }
    }
    const mid = (xs: FixedRate[]): { p50: number; p99: number } => ({
      p50: median(xs.map((x) => x.p50)),
      p99: median(xs.map((x) => x.p99)),
    });
    rows.push({
      rate,
      baseline: mid(samples.baseline),
      classify: mid(samples.classify),
      rounds,
      errors: [...samples.baseline, ...samples.classify].reduce((n, x) => n + x.non2xx + x.errors, 0),
    });
  }
  return rows;
}

function printLatency(rows: LatencyRow[]): void {
  const lines = [
    '',
    `classify at fixed offered rates, ${LATENCY_CONNECTIONS} connections (medians of ${rows[0]?.rounds ?? 0} interleaved rounds)`,
    '| req/s offered | baseline p50 ms | baseline p99 ms | classify p50 ms | classify p99 ms | p99 vs baseline | errors |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.rate} | ${r.baseline.p50} | ${r.baseline.p99} | ${r.classify.p50} | ${r.classify.p99} | ${(r.classify.p99 / r.baseline.p99).toFixed(2)} | ${r.errors} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function latencyTargets(rows: LatencyRow[]): Target[] {
  return rows.flatMap((r) => [
    {
      target: `classify at ${r.rate} req/s offered: p50 <= 1 ms`,
      value: `${r.classify.p50} ms`,
      met: r.classify.p50 <= 1,
    },
    {
      target: `classify at ${r.rate} req/s offered: p99 <= 1.5x node:http's at that rate`,
      value: `${(r.classify.p99 / r.baseline.p99).toFixed(2)}x (${r.classify.p99} vs ${r.baseline.p99} ms)`,
      met: r.classify.p99 <= 1.5 * r.baseline.p99,
    },
    { target: `no error answers at ${r.rate} req/s offered`, value: String(r.errors), met: r.errors === 0 },
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
