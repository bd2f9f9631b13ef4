import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expositionProblems } from '@app/cli/ops/exposition';
import { createTestApp, send } from '@test/support/app';

const ROOT = join(__dirname, '..', '..');

/** promtool from the Debian `prometheus` package; `.ci/run` installs it, so CI never runs without it. */
function promtool(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (process.env.CI) throw new Error('promtool is missing: .ci/run installs the Debian package prometheus');
  return undefined;
}

describe('Prometheus tooling', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('promtool check metrics reports no problems with /metrics', async () => {
    await send(app, 'POST', '/v1/risk/classify', { score: 50, category: 'financial' });
    await send(app, 'GET', '/no/such/route');
    const text = (await send(app, 'GET', '/metrics')).body;
    const tool = promtool();
    if (tool) {
      const result = spawnSync(tool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ exit: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({
        exit: 0,
        output: '',
      });
    } else {
      process.stdout.write('\npromtool not installed: checked with the built-in exposition lint\n');
      expect(expositionProblems(text)).toEqual([]);
    }
  });

  it('promtool check rules accepts the alert rules, each with a runbook link that exists', () => {
    const rulesFile = join(ROOT, 'deploy/prometheus/alerts.yml');
    const tool = promtool();
    if (tool) {
      const output = execFileSync(tool, ['check', 'rules', rulesFile], { encoding: 'utf8' });
      const count = [...readFileSync(rulesFile, 'utf8').matchAll(/- alert: /g)].length;
      expect(output).toContain(`SUCCESS: ${count} rules found`);
    }
    const rules = readFileSync(rulesFile, 'utf8');
    const runbook = readFileSync(join(ROOT, 'docs/RUNBOOK.md'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const links = [...rules.matchAll(/runbook_url: 'docs\/RUNBOOK\.md#([a-z-]+)'/g)].map((m) => m[1]);
    expect(alerts).toEqual([
      'RiskThresholdServiceDown',
      'RiskThresholdHighErrorRate',
      'RiskThresholdHighLatency',
      'RiskThresholdStorageDegraded',
      'RiskThresholdPoolSaturated',
      'RiskThresholdScheduledChangeFailed',
      'RiskThresholdEmergencyChange',
      'RiskThresholdScoreFlushFailing',
    ]);
    expect(links).toHaveLength(alerts.length);
    for (const anchor of links)
      expect(runbook).toMatch(new RegExp(`^## .*\\{#${anchor}\\}|^<a id="${anchor}"></a>`, 'm'));
  });

  it('the Grafana dashboard queries only metrics the service exports', async () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/risk-threshold-service.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exported = (await send(app, 'GET', '/metrics')).body;
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Request rate by route',
        'Error rate (5xx share)',
        'Latency p50 / p95 / p99 by route',
        'Database pool',
        'Storage degraded (serving the snapshot)',
        'Classifications by level',
      ]),
    );
    for (const { expr } of dashboard.panels.flatMap((p) => p.targets)) {
      for (const [, name] of expr.matchAll(/([a-z_]+)(?:_bucket)?\{/g)) {
        const family = name.replace(/_bucket$/, '');
        expect({ expr, family, exported: exported.includes(`# TYPE ${family} `) }).toMatchObject({ exported: true });
      }
    }
  });
});
