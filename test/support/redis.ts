import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket, type Server } from 'node:net';
import { freePort } from '@test/support/service-process';

/** A Redis of a test's own, which it may stop and start again on the same port. */
export interface TestRedis {
  url: string;
  description: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * The machine's `redis-server` binary on a free port (`.ci/run` makes sure it is installed); on a
 * machine without one, a minimal in-process RESP server that implements what the rate limiter
 * sends (PING, INFO, EVAL of its counting script), so the tests still run and say which they used.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  const binary = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (binary) return realRedis(binary, port);
  if (process.env.CI) throw new Error('redis-server is missing: .ci/run installs the Debian package redis-server');
  return fakeRedis(port);
}

async function realRedis(binary: string, port: number): Promise<TestRedis> {
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if (await answers(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, description: `redis-server (${binary}) on port ${port}`, stop, start };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.write('*1\r\n$4\r\nPING\r\n');
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
    });
  });
}

/** Parses RESP arrays of bulk strings from a buffer; answers the commands and the rest. */
function parseCommands(buffer: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let offset = 0;
  for (;;) {
    if (offset >= buffer.length || buffer[offset] !== 0x2a) break;
    const lineEnd = buffer.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const count = Number(buffer.subarray(offset + 1, lineEnd).toString());
    let cursor = lineEnd + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const sizeEnd = buffer.indexOf('\r\n', cursor);
      if (sizeEnd < 0) return { commands, rest: buffer.subarray(offset) };
      const size = Number(buffer.subarray(cursor + 1, sizeEnd).toString());
      if (buffer.length < sizeEnd + 2 + size + 2) return { commands, rest: buffer.subarray(offset) };
      args.push(buffer.subarray(sizeEnd + 2, sizeEnd + 2 + size).toString());
      cursor = sizeEnd + 2 + size + 2;
    }
    commands.push(args);
    offset = cursor;
  }
  return { commands, rest: buffer.subarray(offset) };
}

async function fakeRedis(port: number): Promise<TestRedis> {
  const counters = new Map<string, { hits: number; expiresAt: number }>();
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  const answer = (args: string[]): string => {
    const command = args[0].toUpperCase();
    if (command === 'PING') return '+PONG\r\n';
    if (command === 'INFO') return bulk('# Server\r\nredis_version:7.0.0\r\nloading:0\r\n');
    if (command === 'EVAL') {
      const [, , , key, ttl] = args;
      const now = Date.now();
      let entry = counters.get(key);
      if (!entry || entry.expiresAt <= now) entry = { hits: 0, expiresAt: now + Number(ttl) };
      entry.hits++;
      counters.set(key, entry);
      return `*2\r\n:${entry.hits}\r\n:${entry.expiresAt - now}\r\n`;
    }
    return '+OK\r\n';
  };
  const start = (): Promise<void> =>
    new Promise((resolve) => {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
        let pending: Buffer = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          const { commands, rest } = parseCommands(Buffer.concat([pending, chunk]));
          pending = rest;
          for (const args of commands) socket.write(answer(args));
        });
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = undefined;
    });
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    description: `built-in RESP stand-in on port ${port} (no redis-server here)`,
    stop,
    start,
  };
}
