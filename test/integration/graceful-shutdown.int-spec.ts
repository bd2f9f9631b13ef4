import { Agent, request } from 'node:http';
import { aCreateBody } from '@test/support/builders';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';
import { SERVICE_ADMIN_KEY, startServiceProcess } from '@test/support/service-process';

const DELAY_MS = 1500;
const GRACE_MS = 8000;

function post(agent: Agent, baseUrl: string, path: string, body: unknown): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        hostname,
        port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${SERVICE_ADMIN_KEY}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('graceful shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('SIGTERM under concurrent load: readiness 503 first, no failed request, exit 0 within the grace period', async () => {
    const service = await startServiceProcess({
      STORAGE: 'postgres',
      DATABASE_URL: db.url,
      SHUTDOWN_DELAY_MS: String(DELAY_MS),
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const counts = { ok: 0, failed: 0 };
    // Load balancers stop sending within the delay; so does this load, a little before it ends.
    let stopAt = Number.POSITIVE_INFINITY;
    const sending = (): boolean => Date.now() < stopAt;
    const batch = { items: Array.from({ length: 500 }, (_, i) => ({ score: i % 101, category: 'financial' })) };
    const worker = async (i: number): Promise<void> => {
      while (sending()) {
        try {
          const status =
            i % 4 === 0
              ? await post(agent, service.baseUrl, '/v1/admin/risk/thresholds', aCreateBody())
              : await post(agent, service.baseUrl, '/v1/risk/classify/batch', batch);
          if (status === 200 || status === 201) counts.ok++;
          else counts.failed++;
        } catch {
          counts.failed++;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, (_, i) => worker(i)));
    while (counts.ok < 20) await new Promise((r) => setTimeout(r, 10));

    const signalledAt = Date.now();
    stopAt = signalledAt + DELAY_MS - 600;
    service.child.kill('SIGTERM');
    // Readiness turns 503 as soon as the signal is handled, well within the delay.
    let readiness = 200;
    while (readiness === 200 && Date.now() < signalledAt + DELAY_MS) {
      readiness = (await fetch(`${service.baseUrl}/health/ready`)).status;
    }
    expect(readiness).toBe(503);
    await load;
    const code = await service.exited;
    const tookMs = Date.now() - signalledAt;
    agent.destroy();
    process.stdout.write(`\nshutdown test: ${JSON.stringify(counts)}, exit ${code} after ${tookMs} ms\n`);
    expect(counts.failed).toBe(0);
    expect(counts.ok).toBeGreaterThan(50);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(GRACE_MS);
    expect(service.output()).toContain('closed cleanly');
  }, 60_000);
});
