/**
 * What every benchmark shares: processes pinned to cores (the server on core 0, the load
 * generator on core 1 when `taskset` exists), autocannon in its own process, the built service
 * started as it ships (NODE_ENV=production, API keys, metrics, request logs and rate limiting on),
 * the bare `node:http` baseline, and RSS and CPU readings from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { freePort } from '@test/support/service-process';

const ROOT = join(__dirname, '../..');
export const READER_KEY = 'rts_bench_reader_key_000000000000000000000000';
export const EDITOR_KEY = 'rts_bench_editor_key_000000000000000000000000';
export const ADMIN_KEY = 'rts_bench_admin_key_0000000000000000000000000';
export const hasTaskset = cpus().length >= 2 && spawnSync('taskset', ['-p', String(process.pid)]).status === 0;
export const SERVER_CPU = '0';
export const LOAD_CPU = '1';

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function spawnNode(cpu: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return hasTaskset
    ? spawn('taskset', ['-c', cpu, process.execPath, ...args], options)
    : spawn(process.execPath, args, options);
}

export interface Load {
  total: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

export interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

/** One autocannon measurement, in its own process on the load core. */
export function load(baseUrl: string, requests: Request[], connections: number, seconds: number): Promise<Load> {
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

export interface FixedRate {
  sent: number;
  completed: number;
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

/** Latency at a fixed offered rate (`fixed-rate-worker.js`, its own process on the load core); ms. */
export function fixedRate(
  baseUrl: string,
  requests: Request[],
  rate: number,
  seconds: number,
  connections: number,
): Promise<FixedRate> {
  return new Promise((resolve, reject) => {
    const child = spawnNode(
      LOAD_CPU,
      [
        join(ROOT, 'bench/support/fixed-rate-worker.js'),
        JSON.stringify({ url: baseUrl, rate, seconds, connections, requests }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`fixed-rate worker exited with ${code}`));
      else resolve(JSON.parse(out) as FixedRate);
    });
  });
}

export interface Server {
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

export async function startService(
  env: Record<string, string>,
  logFile: string,
  root = ROOT,
  nodeArgs: string[] = [],
): Promise<Server> {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawnNode(SERVER_CPU, [...nodeArgs, join(root, 'dist/main.js')], {
    cwd: root,
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
      API_KEYS: [
        `bench-reader:reader:${sha256Hex(READER_KEY)}`,
        `bench-editor:editor:${sha256Hex(EDITOR_KEY)}`,
        `bench-admin:admin:${sha256Hex(ADMIN_KEY)}`,
      ].join(','),
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

export async function startBaseline(bodyBytes: number): Promise<Server> {
  const child = spawnNode(SERVER_CPU, [join(ROOT, 'bench/support/baseline-server.js'), String(bodyBytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { baseUrl: `http://127.0.0.1:${port}`, child, startToReadyMs: 0, stop: stopper(child) };
}

export function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

export const jsonHeaders = (key: string): Request['headers'] => ({
  'content-type': 'application/json',
  authorization: `Bearer ${key}`,
});

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based in proc(5)).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
