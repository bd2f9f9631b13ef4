/**
 * `npm run bench:compare -- <git revision> [--seconds N] [--rounds N]`: the hot path of this
 * checkout against the same endpoints built from another revision, in one run: both builds
 * started as they ship (memory storage, so the database is not what is compared), pinned to the
 * same core, measured alternately round by round with autocannon on the other core. Reports, per
 * endpoint (classify, get by id, a list page of 100, match) and build, the median req/s and p99 and the CPU time the service used per request
 * (process CPU seconds / requests: steadier than req/s on a shared machine).
 *
 * The other revision is checked out in a temporary git worktree that uses this checkout's
 * node_modules (its build must compile with them; the lock files are compared and a difference
 * is reported).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cpuSeconds,
  EDITOR_KEY,
  jsonHeaders,
  load,
  median,
  READER_KEY,
  startService,
  type Server,
} from './support/harness';
import { classifyBodies, createBody, matchQueries } from './support/workload';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const REVISION = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const SECONDS = option('--seconds', 5);
const ROUNDS = option('--rounds', 5);
const CONNECTIONS = 50;

const git = (cwd: string, ...gitArgs: string[]): string =>
  execFileSync('git', gitArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

async function main(): Promise<void> {
  if (!REVISION) throw new Error('usage: npm run bench:compare -- <git revision> [--seconds N] [--rounds N]');
  const other = git(ROOT, 'rev-parse', '--short', REVISION);
  const here = `${git(ROOT, 'rev-parse', '--short', 'HEAD')}${git(ROOT, 'status', '--porcelain') ? '+changes' : ''}`;
  const dir = mkdtempSync(join(tmpdir(), 'rts-compare-'));
  const tree = join(dir, other);
  git(ROOT, 'worktree', 'add', '--detach', tree, other);
  const servers: Server[] = [];
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
    if (
      readFileSync(join(tree, 'package-lock.json'), 'utf8') !== readFileSync(join(ROOT, 'package-lock.json'), 'utf8')
    ) {
      process.stdout.write(`note: ${other} has another package-lock.json; it is built with this checkout's packages\n`);
    }
    process.stdout.write(`building ${other} in ${tree}\n`);
    execFileSync(join(ROOT, 'node_modules/.bin/nest'), ['build'], { cwd: tree, stdio: 'inherit' });
    if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error('build this checkout first (npm run build)');

    const log = join(dir, 'services.log');
    const builds = [
      { name: other, server: await startService({ STORAGE: 'memory' }, log, tree) },
      { name: here, server: await startService({ STORAGE: 'memory' }, log, ROOT) },
    ];
    servers.push(...builds.map((b) => b.server));
    const endpoints = [
      {
        name: 'classify',
        requests: classifyBodies().map((b) => ({
          method: 'POST' as const,
          path: '/v1/risk/classify',
          body: JSON.stringify(b),
          headers: jsonHeaders(READER_KEY),
        })),
      },
      {
        name: 'get by id',
        // The seeds: memory storage holds them and nothing else.
        requests: Array.from({ length: 9 }, (_, i) => `00000000-0000-4000-8000-00000000000${i + 1}`).map((id) => ({
          method: 'GET' as const,
          path: `/v1/risk/thresholds/${id}`,
          headers: { authorization: `Bearer ${READER_KEY}` },
        })),
      },
      {
        name: 'list 100',
        requests: [
          {
            method: 'GET' as const,
            path: '/v1/risk/thresholds?limit=100',
            headers: { authorization: `Bearer ${READER_KEY}` },
          },
        ],
      },
      {
        name: 'match',
        requests: matchQueries().map((path) => ({
          method: 'GET' as const,
          path,
          headers: { authorization: `Bearer ${READER_KEY}` },
        })),
      },
    ];
    // 91 thresholds more than the 9 seeds in each build, so a list page holds 100.
    for (const b of builds) await addThresholds(b.server.baseUrl, 91);
    // Warm-up of each build (JIT), not measured.
    for (const b of builds) for (const e of endpoints) await load(b.server.baseUrl, e.requests, CONNECTIONS, 2);
    const samples = new Map<string, { rps: number; p99: number; cpuUs: number }[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const e of endpoints) {
        // Alternate which build goes first, so neither always follows the other.
        for (const b of round % 2 === 0 ? builds : [...builds].reverse()) {
          const pid = b.server.child.pid!;
          const cpuBefore = cpuSeconds(pid);
          const l = await load(b.server.baseUrl, e.requests, CONNECTIONS, SECONDS);
          const cpuUs = ((cpuSeconds(pid) - cpuBefore) / Math.max(1, l.total)) * 1e6;
          if (l.non2xx + l.errors > 0) throw new Error(`${b.name} ${e.name}: ${l.non2xx} non-2xx, ${l.errors} errors`);
          const key = `${e.name}\u0000${b.name}`;
          samples.set(key, [...(samples.get(key) ?? []), { rps: l.rps, p99: l.p99, cpuUs }]);
        }
      }
    }
    const lines = [
      '',
      `${ROUNDS} rounds x ${SECONDS} s, ${CONNECTIONS} connections, memory storage; medians`,
      '| endpoint | build | req/s | p99 ms | CPU µs/request | req/s vs ' + other + ' |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    ];
    for (const e of endpoints) {
      const at = (build: string): { rps: number; p99: number; cpuUs: number }[] =>
        samples.get(`${e.name}\u0000${build}`)!;
      const base = median(at(other).map((s) => s.rps));
      for (const b of builds) {
        const s = at(b.name);
        const rps = median(s.map((x) => x.rps));
        lines.push(
          `| ${e.name} | ${b.name} | ${Math.round(rps)} | ${median(s.map((x) => x.p99))} | ${Math.round(median(s.map((x) => x.cpuUs)))} | ${(rps / base).toFixed(2)} |`,
        );
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    git(ROOT, 'worktree', 'remove', '--force', tree);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates `count` active thresholds through the API (the editor key; approvals are off in the bench). */
async function addThresholds(baseUrl: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${baseUrl}/v1/admin/risk/thresholds`, {
      method: 'POST',
      headers: jsonHeaders(EDITOR_KEY),
      body: JSON.stringify({ ...createBody(), name: `bench-list-${i}`, industry_code: String(7000 + i) }),
    });
    if (res.status !== 201) throw new Error(`creating a threshold answered ${res.status}: ${await res.text()}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:compare failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
