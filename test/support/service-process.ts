import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { freePort } from '@app/modules/database/embedded/free-port';

export { freePort };

const ROOT = join(__dirname, '..', '..');

/** The admin key of services started by `startServiceProcess`. */
export const SERVICE_ADMIN_KEY = 'rts_test_service_admin_key_000000000000000000';

export interface ServiceProcess {
  baseUrl: string;
  child: ChildProcess;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  output(): string;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Runs the service as its own process on a free loopback port and waits until it is ready:
 * from the TypeScript sources (SWC on the fly), or from the build (`dist/`, for benchmarks;
 * run `npm run build` first).
 */
export async function startServiceProcess(
  env: Record<string, string>,
  options: { from: 'src' | 'dist' } = { from: 'src' },
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawnService(env, port, options.from);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`service exited at start: ${output}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error(`service did not become ready: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    child,
    exited,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function spawnService(env: Record<string, string>, port: number, from: 'src' | 'dist'): ChildProcess {
  const args =
    from === 'src'
      ? ['-r', join(ROOT, 'test/support/register-ts.js'), join(ROOT, 'src/main.ts')]
      : [join(ROOT, 'dist/main.js')];
  return spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      ...(env.DATABASE_URL ? {} : { STORAGE: 'memory' }),
      LOG_LEVEL: 'info',
      RATE_LIMIT_ENABLED: 'false',
      API_KEYS: `test-admin:admin:${sha256Hex(SERVICE_ADMIN_KEY)}`,
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the service expecting it not to start: resolves with its exit code and both outputs. */
export async function runServiceToExit(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnService(env, await freePort(), 'src');
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
