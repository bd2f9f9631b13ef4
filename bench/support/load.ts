import { connect, type Socket } from 'node:net';

/** Runs `one` `total` times with `concurrency` in flight; answers operations per second. */
export async function throughput(
  total: number,
  concurrency: number,
  one: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++);
    }),
  );
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A minimal keep-alive HTTP/1.1 load client over raw sockets: one request in flight per
 * connection, responses read by Content-Length. Far lighter than a general-purpose client, so on
 * a small machine the measurement reflects the service rather than the load generator (wrk-style).
 */
export async function jsonClient(
  baseUrl: string,
  connections: number,
  authorization?: string,
): Promise<{ post: (path: string, body: unknown) => Promise<number>; close: () => Promise<void> }> {
  const { hostname, port } = new URL(baseUrl);
  const idle: LoadConnection[] = [];
  const waiting: ((c: LoadConnection) => void)[] = [];
  const all = await Promise.all(Array.from({ length: connections }, () => LoadConnection.open(hostname, Number(port))));
  idle.push(...all);
  const acquire = (): Promise<LoadConnection> =>
    idle.length > 0 ? Promise.resolve(idle.pop() as LoadConnection) : new Promise((resolve) => waiting.push(resolve));
  const release = (c: LoadConnection): void => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  return {
    post: async (path, body) => {
      const connection = await acquire();
      try {
        return await connection.post(hostname, path, JSON.stringify(body), authorization);
      } finally {
        release(connection);
      }
    },
    close: async () => {
      for (const c of all) c.close();
    },
  };
}

class LoadConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: (status: number) => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.pending?.reject(error));
  }

  static open(host: string, port: number): Promise<LoadConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new LoadConnection(socket)));
      socket.once('error', reject);
    });
  }

  post(host: string, path: string, payload: string, authorization?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      const auth = authorization ? `Authorization: ${authorization}\r\n` : '';
      this.socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headerEnd = this.buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.buffer.subarray(0, headerEnd).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < headerEnd + 4 + length) return;
    this.buffer = this.buffer.subarray(headerEnd + 4 + length);
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(Number(head.slice(9, 12)));
  }
}
