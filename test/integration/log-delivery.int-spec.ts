import { LOG_FLUSH_INTERVAL_MS } from '@app/modules/logging/logging.module';
import { adminQuery, startThrowawayServer, withDatabase, type ThrowawayServer } from '@test/support/postgres';
import { startServiceProcess, type ServiceProcess } from '@test/support/service-process';

/** Scheduling slack on a loaded 2-core machine, on top of the documented bound. */
const SLACK_MS = 500;

/** How long after `since` the first stdout line matching `pattern` arrived (waits at most `limitMs`). */
async function arrival(service: ServiceProcess, pattern: RegExp, since: number, limitMs: number): Promise<number> {
  const deadline = since + limitMs;
  while (!pattern.test(service.output())) {
    if (Date.now() > deadline) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - since;
}

describe('log delivery on an idle instance (JSON logs on buffered stdout)', () => {
  let service: ServiceProcess;
  afterEach(() => service?.stop());

  it('writes a warning at once and an info line within the flush interval, with no traffic after them', async () => {
    service = await startServiceProcess({ STORAGE: 'memory' });
    // One request of each kind on an otherwise idle instance.
    // A failed probe is a warning line (POST on a probe path: 404).
    let sent = Date.now();
    expect((await fetch(`${service.baseUrl}/health/ready`, { method: 'POST' })).status).toBe(404);
    const warnAfter = await arrival(service, /"level":"warn"[^\n]*"POST \/health\/ready 404"/, sent, 5000);

    // An unauthenticated read is an info line.
    sent = Date.now();
    expect((await fetch(`${service.baseUrl}/v1/risk/thresholds`)).status).toBe(401);
    const infoAfter = await arrival(service, /"level":"info"[^\n]*"GET \/v1\/risk\/thresholds 401"/, sent, 5000);

    process.stdout.write(
      `log delivery on an idle instance: warning after ${warnAfter} ms, info after ${infoAfter} ms\n`,
    );
    expect(warnAfter).toBeLessThan(SLACK_MS);
    expect(infoAfter).toBeLessThan(LOG_FLUSH_INTERVAL_MS + SLACK_MS);
  });

  // Issue #13, finding 1: on an idle instance the outage lines reached stdout ~47 s late.
  describe('a database outage on an idle instance', () => {
    let server: ThrowawayServer;
    beforeAll(async () => {
      server = await startThrowawayServer();
      await adminQuery(server.adminUrl, 'CREATE DATABASE risk');
    }, 60_000);
    afterAll(() => server.destroy());

    it('its lines are on stdout within 1 s of the database going away, with no traffic', async () => {
      service = await startServiceProcess({
        STORAGE: 'postgres',
        DATABASE_URL: withDatabase(server.adminUrl, 'risk'),
        MIGRATIONS_RUN: 'true',
      });
      const seen = service.output().length;
      const stopping = Date.now();
      await server.stop(); // the event happens during this call: arrival is measured from its start
      // The first component to notice (the change feed's connection, or the pool's idle client)
      // writes the outage's first line, a warning or an error.
      const outageLine = /"level":"(warn|error)"[^\n]*"context":"(ChangeFeed|Database)"/;
      let lost = Number.POSITIVE_INFINITY;
      while (Date.now() - stopping < 10_000) {
        if (outageLine.test(service.output().slice(seen))) {
          lost = Date.now() - stopping;
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      process.stdout.write(`database outage on an idle instance: first line on stdout after ${lost} ms\n`);
      expect(lost).toBeLessThan(1000);
      await server.start();
    }, 30_000);
  });

  it('prints the generated development admin key before the service is ready', async () => {
    service = await startServiceProcess({ STORAGE: 'memory', NODE_ENV: 'development', API_KEYS: '' });
    // startServiceProcess returns once /health/ready answers 200: the key line is already there.
    expect(service.output()).toMatch(/generated an admin key for this process only: rts_[A-Za-z0-9_-]{20,}/);
  });
});
