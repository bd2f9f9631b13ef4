import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configWarnings } from '@app/cli/ops/config-validate';
import { USAGE } from '@app/cli/ops/cli';
import { createKey } from '@app/modules/auth/api-keys';
import { loadConfig } from '@app/modules/config/app-config';
import { createTestApp } from '@test/support/app';
import {
  objectKey,
  parseYamlFile,
  renderKustomization,
  renderWithKubectl,
  type K8sObject,
} from '@test/support/kustomize';

const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'k8s');
const TARGETS = {
  base: join(K8S, 'base'),
  staging: join(K8S, 'overlays/staging'),
  production: join(K8S, 'overlays/production'),
};

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, pattern) : pattern.test(name) ? [path] : [];
  });
}

/** Validation against the Kubernetes API schemas (kubernetes-models, in its own process). */
function validate(objects: unknown[]): { key: string; valid: boolean; error?: string }[] {
  const output = execFileSync(process.execPath, [join(ROOT, 'test/support/k8s-validate.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(output) as { key: string; valid: boolean; error?: string }[];
}

type Container = {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: { httpGet: { path: string; port: string | number } };
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodSpec = {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; secret?: { secretName: string } }[];
};
const podSpec = (o: K8sObject): PodSpec => (o.spec as { template: { spec: PodSpec } }).template.spec;
const podLabels = (o: K8sObject): Record<string, string> =>
  (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
const find = (objects: K8sObject[], kind: string, name?: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? `/${name}` : ''}`);
  return found;
};
/** The environment of the pods: the ConfigMap, plus sample values for the Secret's keys. */
function serviceEnv(objects: K8sObject[]): Record<string, string> {
  const config = find(objects, 'ConfigMap').data as Record<string, string>;
  const env: Record<string, string> = {
    ...config,
    DATABASE_URL: 'postgres://svc:pw@db.internal:5432/risk',
    API_KEYS: createKey('frontend', 'reader').line,
    REDIS_URL: 'redis://redis.internal:6379',
  };
  if (config.DATABASE_SSL_CA_FILE) {
    // Mounted from a Secret in the pod; a sample file here.
    const ca = join(mkdtempSync(join(tmpdir(), 'rts-ca-')), 'ca.crt');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    env.DATABASE_SSL_CA_FILE = ca;
  }
  return env;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/: YAML and Kubernetes manifests', () => {
  const rendered = Object.fromEntries(
    Object.entries(TARGETS).map(([name, dir]) => [name, renderKustomization(dir)]),
  ) as Record<keyof typeof TARGETS, K8sObject[]>;
  const overlays = ['staging', 'production'] as const;
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('every YAML file under deploy/ parses', () => {
    const yamlFiles = files(join(ROOT, 'deploy'), /\.ya?ml$/);
    expect(yamlFiles.length).toBeGreaterThanOrEqual(14);
    for (const file of yamlFiles) expect(() => parseYamlFile(file)).not.toThrow();
  });

  it('the overlays render; where kubectl is installed, `kubectl kustomize` renders the same objects', () => {
    for (const [name, dir] of Object.entries(TARGETS)) {
      const ours = rendered[name as keyof typeof TARGETS];
      expect(ours.map(objectKey).sort()).toEqual(
        [...new Set(ours.map(objectKey))].sort(), // no duplicates
      );
      const kubectl = renderWithKubectl(dir);
      if (kubectl) {
        const byKey = (objects: K8sObject[]): Record<string, K8sObject> =>
          Object.fromEntries(objects.map((o) => [objectKey(o), o]));
        expect(byKey(ours)).toEqual(byKey(kubectl));
      }
    }
    expect(rendered.staging.every((o) => o.metadata.namespace === 'risk-staging')).toBe(true);
    expect(rendered.production.every((o) => o.metadata.namespace === 'risk-production')).toBe(true);
    expect((find(rendered.production, 'HorizontalPodAutoscaler').spec as { minReplicas: number }).minReplicas).toBe(3);
    expect((find(rendered.staging, 'HorizontalPodAutoscaler').spec as { minReplicas: number }).minReplicas).toBe(1);
  });

  it('every object validates against the Kubernetes API schemas (and the validator does reject a bad one)', () => {
    const all = [...Object.values(rendered).flat(), ...parseYamlFile(join(K8S, 'base/secret.template.yaml'))];
    const kinds = new Set(all.map((o) => (o as K8sObject).kind));
    expect([...kinds].sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Job',
        'PodDisruptionBudget',
        'PrometheusRule',
        'Secret',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
      ].sort(),
    );
    const broken = structuredClone(find(rendered.base, 'Deployment'));
    podSpec(broken).containers[0].ports![0].containerPort = 'http' as unknown as number;
    const results = validate([...all, broken]);
    expect(results.slice(0, -1).filter((r) => !r.valid)).toEqual([]);
    expect(results.at(-1)).toMatchObject({ valid: false, error: expect.stringContaining('containerPort') });
  });

  it.each(overlays)(
    '%s: probes and the scrape path are routes the application serves, on the port it listens on',
    async (overlay) => {
      const objects = rendered[overlay];
      const deployment = find(objects, 'Deployment');
      const [container] = podSpec(deployment).containers;
      const config = find(objects, 'ConfigMap').data as Record<string, string>;
      const http = container.ports!.find((p) => p.name === 'http')!;
      expect(http.containerPort).toBe(Number(config.PORT));
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        expect(probe?.httpGet.port).toBe('http');
        const res = await app.inject({ method: 'GET', url: probe!.httpGet.path });
        expect(res.statusCode).toBe(200);
      }
      expect(container.livenessProbe?.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe?.httpGet.path).toBe('/health/ready');
      // docs/OBSERVABILITY.md suggests exactly these probes (issue #13, finding 5: they disagreed).
      const suggested = readFileSync(join(ROOT, 'docs/OBSERVABILITY.md'), 'utf8');
      for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        const probe = container[kind] as {
          httpGet: { path: string };
          periodSeconds?: number;
          failureThreshold?: number;
        };
        const line = new RegExp(
          `${kind}:\\s*\\{ httpGet: \\{ path: ${probe.httpGet.path}, port: \\d+ \\}, periodSeconds: ${probe.periodSeconds}[^\\n]*failureThreshold: ${probe.failureThreshold} \\}`,
        );
        expect({ kind, documented: line.test(suggested) }).toEqual({ kind, documented: true });
      }

      const service = find(objects, 'Service');
      const servicePort = (service.spec as { ports: { name: string; targetPort: string }[] }).ports[0];
      expect(servicePort.targetPort).toBe('http');
      expect(matches((service.spec as { selector: Record<string, string> }).selector, podLabels(deployment))).toBe(
        true,
      );
      const endpoint = (find(objects, 'ServiceMonitor').spec as { endpoints: { port: string; path: string }[] })
        .endpoints[0];
      expect(endpoint.port).toBe(servicePort.name);
      expect((await app.inject({ method: 'GET', url: endpoint.path })).statusCode).toBe(200);
      const monitorSelector = (
        find(objects, 'ServiceMonitor').spec as { selector: { matchLabels: Record<string, string> } }
      ).selector.matchLabels;
      expect(matches(monitorSelector, service.metadata.labels ?? {})).toBe(true);
    },
  );

  it.each(overlays)(
    '%s: non-root, read-only root filesystem, resources, and a preStop + grace that fit the termination period',
    (overlay) => {
      const objects = rendered[overlay];
      const deployment = find(objects, 'Deployment');
      const spec = podSpec(deployment);
      const [container] = spec.containers;
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources?.limits?.memory).toEqual(expect.any(String));
      // The only writable paths are volumes, and SNAPSHOT_PATH is on one of them.
      const config = find(objects, 'ConfigMap').data as Record<string, string>;
      expect(container.volumeMounts?.some((m) => config.SNAPSHOT_PATH.startsWith(`${m.mountPath}/`))).toBe(true);
      const preStop = container.lifecycle?.preStop?.exec?.command;
      expect(preStop?.[0]).toBe('sleep');
      const preStopSeconds = Number(preStop?.[1]);
      expect(preStopSeconds).toBeGreaterThanOrEqual(3);
      const shutdown = loadConfig(serviceEnv(objects)).shutdown;
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + shutdown.graceMs / 1000);
      expect(spec.terminationGracePeriodSeconds).toBeLessThanOrEqual(preStopSeconds + shutdown.graceMs / 1000 + 15);
      expect(
        matches(
          (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
          podLabels(deployment),
        ),
      ).toBe(true);
      expect(deployment.spec).not.toHaveProperty('replicas'); // the HPA owns it
      const hpa = find(objects, 'HorizontalPodAutoscaler').spec as { scaleTargetRef: { kind: string; name: string } };
      expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
      const pdb = find(objects, 'PodDisruptionBudget').spec as { selector: { matchLabels: Record<string, string> } };
      expect(matches(pdb.selector.matchLabels, podLabels(deployment))).toBe(true);
    },
  );

  it.each(overlays)(
    '%s: the ConfigMap is a valid configuration of the service, with no warning once the Secret is set',
    (overlay) => {
      const parsed = loadConfig(serviceEnv(rendered[overlay]));
      expect(parsed.nodeEnv).toBe('production');
      expect(parsed.storage.mode).toBe('postgres');
      expect(parsed.database?.migrationsRun).toBe(false);
      expect(configWarnings(parsed)).toEqual([]);
      // Every key the pods read from the Secret is in the template.
      const template = parseYamlFile(join(K8S, 'base/secret.template.yaml'))[0] as {
        stringData: Record<string, string>;
      };
      expect(Object.keys(template.stringData).sort()).toEqual(['API_KEYS', 'DATABASE_URL', 'REDIS_URL']);
    },
  );

  it('the migration and predeploy Jobs run the operator CLI in the same image, with the same configuration', () => {
    for (const overlay of overlays) {
      const objects = rendered[overlay];
      const [api] = podSpec(find(objects, 'Deployment')).containers;
      for (const [name, command, component] of [
        ['risk-threshold-service-migrate', 'migrate', 'migration'],
        ['risk-threshold-service-predeploy', 'predeploy', 'predeploy'],
      ]) {
        const job = find(objects, 'Job', name);
        const [container] = podSpec(job).containers;
        expect(container.command).toEqual(['node', 'dist/cli', command]);
        expect(container.image).toBe(api.image);
        expect(container.image).toMatch(/:[\w.-]+$/);
        expect(container.envFrom).toEqual(api.envFrom);
        expect(job.metadata.labels?.['app.kubernetes.io/component']).toBe(component);
        expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(USAGE).toMatch(new RegExp(`^ {2}${command} `, 'm'));
      }
      // Argo CD runs the go/no-go after the migration.
      const wave = (n: string): number =>
        Number(find(objects, 'Job', n).metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
      expect(wave('risk-threshold-service-predeploy')).toBeGreaterThan(wave('risk-threshold-service-migrate'));
    }
    expect(statSync(join(ROOT, 'src/cli/index.ts')).isFile()).toBe(true); // built to dist/cli/index.js
  });

  it('the PrometheusRule carries exactly the rules of deploy/prometheus/alerts.yml', () => {
    const alerts = parseYamlFile(join(ROOT, 'deploy/prometheus/alerts.yml'))[0] as { groups: unknown };
    expect((find(rendered.production, 'PrometheusRule').spec as { groups: unknown }).groups).toEqual(alerts.groups);
  });

  // Issue #13, finding 5: the production ConfigMap asks for verify-full with a CA file, which the
  // documented predeploy pod did not mount, and no document said to create the CA's Secret.
  it('every pod that reads the ConfigMap mounts the database CA file it names', () => {
    for (const overlay of overlays) {
      const objects = rendered[overlay];
      const caFile = (find(objects, 'ConfigMap').data as Record<string, string>).DATABASE_SSL_CA_FILE;
      const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
      expect(workloads.length).toBeGreaterThanOrEqual(3);
      for (const workload of workloads) {
        const spec = podSpec(workload);
        for (const container of spec.containers) {
          if (!container.envFrom?.some((e) => e.configMapRef?.name === 'risk-threshold-service')) continue;
          if (caFile === undefined) continue;
          const mount = container.volumeMounts?.find((m) => caFile.startsWith(`${m.mountPath}/`));
          expect({ workload: workload.metadata.name, mounted: mount !== undefined }).toEqual({
            workload: workload.metadata.name,
            mounted: true,
          });
          expect(spec.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName).toBeDefined();
        }
      }
    }
  });

  it('the documented procedure creates every Secret the production overlay mounts or reads', () => {
    const setup = readFileSync(join(ROOT, 'docs/PRODUCTION_ENV_SETUP.md'), 'utf8');
    const objects = rendered.production;
    const names = new Set<string>();
    for (const workload of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      const spec = podSpec(workload);
      for (const v of spec.volumes ?? []) if (v.secret) names.add(v.secret.secretName);
      for (const c of spec.containers) for (const e of c.envFrom ?? []) if (e.secretRef) names.add(e.secretRef.name);
    }
    expect([...names].sort()).toEqual(['risk-threshold-service', 'risk-threshold-service-db-ca']);
    for (const name of names) {
      expect({ name, created: new RegExp(`kubectl[^\n]*create secret[^\n]* ${name}( |$)`, 'm').test(setup) }).toEqual({
        name,
        created: true,
      });
    }
  });

  it('no Secret holds a real value: the template has placeholders only, and no overlay renders a Secret', () => {
    const [secret] = parseYamlFile(join(K8S, 'base/secret.template.yaml')) as {
      data?: unknown;
      stringData: Record<string, string>;
    }[];
    expect(secret.data).toBeUndefined();
    for (const value of Object.values(secret.stringData)) expect(value).toMatch(/<[a-z0-9-]+>/);
    for (const objects of Object.values(rendered)) expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const file of files(join(ROOT, 'deploy'), /./)) {
      const text = readFileSync(file, 'utf8');
      expect({ file: relative(ROOT, file), hash: /\b[0-9a-f]{64}\b/.test(text) }).toEqual({
        file: relative(ROOT, file),
        hash: false,
      });
      expect(text).not.toMatch(/:\/\/[^:<\s]+:[^<@\s]+@/); // a URL with a literal password
    }
  });
});
