import { runCli } from '@app/cli/ops/cli';
import type { Report } from '@app/cli/ops/report';
import {
  adminQuery,
  createTestDatabase,
  startThrowawayServer,
  withDatabase,
  type TestDatabase,
  type ThrowawayServer,
} from '@test/support/postgres';
import { freePort, SERVICE_ADMIN_KEY, startServiceProcess, type ServiceProcess } from '@test/support/service-process';

async function postdeploy(...argv: string[]): Promise<{ code: number; report: Report }> {
  const result = await runCli(['postdeploy', ...argv, '--json'], {});
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}
const statuses = (r: Report): Record<string, string> => Object.fromEntries(r.checks.map((c) => [c.name, c.status]));

describe('postdeploy against an instance started by the test', () => {
  let db: TestDatabase;
  let service: ServiceProcess;
  beforeAll(async () => {
    db = await createTestDatabase();
    service = await startServiceProcess({ STORAGE: 'postgres', DATABASE_URL: db.url, MIGRATIONS_RUN: 'false' });
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  it('passes every check with a key', async () => {
    const { code, report } = await postdeploy('--url', service.baseUrl, '--api-key', SERVICE_ADMIN_KEY);
    expect(statuses(report)).toEqual({
      liveness: 'ok',
      'security-headers': 'ok',
      readiness: 'ok',
      'health.detailed': 'ok',
      'thresholds.list': 'ok',
      classify: 'ok',
      'auth.enforced': 'ok',
      metrics: 'ok',
      openapi: 'ok',
    });
    expect(code).toBe(0);
  });

  it('takes the key from OPS_API_KEY, warns when there is none, and fails naming a key that is refused', async () => {
    const fromEnv = await runCli(['postdeploy', '--url', service.baseUrl], { OPS_API_KEY: SERVICE_ADMIN_KEY });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).not.toContain(SERVICE_ADMIN_KEY);
    const keyless = await postdeploy('--url', service.baseUrl);
    expect(keyless.code).toBe(0);
    expect(statuses(keyless.report)).toMatchObject({ 'thresholds.list': 'warn', classify: 'warn' });
    const wrong = await postdeploy('--url', service.baseUrl, '--api-key', 'rts_not_a_key');
    expect(wrong.code).toBe(1);
    expect(wrong.report.checks.find((c) => c.name === 'thresholds.list')?.detail).toContain(
      '401: the key is not accepted',
    );
  });

  it('fails naming liveness when nothing answers', async () => {
    const { code, report } = await postdeploy('--url', `http://127.0.0.1:${await freePort()}`, '--timeout-ms', '2000');
    expect(code).toBe(1);
    expect(report.checks).toEqual([expect.objectContaining({ name: 'liveness', status: 'fail' })]);
  });
});

describe('postdeploy against an instance whose database is down', () => {
  let server: ThrowawayServer;
  let service: ServiceProcess | undefined;
  beforeAll(async () => {
    server = await startThrowawayServer();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await server.destroy();
  });

  it('fails with "degraded: the database is down"', async () => {
    await adminQuery(server.adminUrl, 'CREATE DATABASE risk');
    service = await startServiceProcess({
      STORAGE: 'postgres',
      DATABASE_URL: withDatabase(server.adminUrl, 'risk'),
      MIGRATIONS_RUN: 'true',
    });
    expect((await postdeploy('--url', service.baseUrl, '--api-key', SERVICE_ADMIN_KEY)).code).toBe(0);
    await server.stop();
    const { code, report } = await postdeploy('--url', service.baseUrl, '--api-key', SERVICE_ADMIN_KEY);
    expect(code).toBe(1);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([
      expect.objectContaining({
        name: 'health.detailed',
        detail: expect.stringMatching(/^degraded: the database is down/),
      }),
    ]);
    // Reads still answer from the snapshot: the instance is degraded, not down.
    expect(statuses(report)).toMatchObject({ readiness: 'ok', classify: 'ok', 'thresholds.list': 'ok' });
  }, 60_000);
});
