import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object, as parsed. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, unknown>;

interface Kustomization {
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: { kind: string; name?: string }; patch: string }[];
}

type Json = unknown;
type Op = { op: 'add' | 'replace' | 'remove'; path: string; value?: Json };

/** Every document of a YAML file; a syntax error throws. */
export function parseYamlFile(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS() as unknown;
  });
}

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'labels', 'images', 'patches']);

/** The pod templates of a workload, where template labels and images apply. */
function podTemplates(object: K8sObject): {
  metadata?: { labels?: Record<string, string> };
  spec: { containers: { image: string }[]; initContainers?: { image: string }[] };
}[] {
  const spec = object.spec as { template?: unknown } | undefined;
  return spec?.template ? [spec.template as ReturnType<typeof podTemplates>[number]] : [];
}

function applyOp(root: Json, op: Op): void {
  const keys = op.path
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = keys.pop()!;
  let parent = root as Record<string, Json> | Json[];
  for (const key of keys) {
    const next = Array.isArray(parent) ? parent[Number(key)] : parent[key];
    if (next === undefined || next === null) throw new Error(`patch path ${op.path} does not exist`);
    parent = next as Record<string, Json>;
  }
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (op.op === 'add') parent.splice(index, 0, op.value);
    else if (op.op === 'replace') parent[index] = op.value;
    else parent.splice(index, 1);
  } else if (op.op === 'remove') {
    delete parent[last];
  } else {
    if (op.op === 'replace' && !(last in parent)) throw new Error(`patch path ${op.path} does not exist`);
    parent[last] = op.value;
  }
}

/**
 * A small kustomize for the features deploy/k8s uses (resources, namespace, labels, images,
 * JSON 6902 patches), so the overlays render where no kustomize is installed. An unknown field
 * fails rather than being ignored; where `kubectl` exists the tests compare the two renderings.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const k = parseYamlFile(join(dir, 'kustomization.yaml'))[0] as Kustomization & Record<string, unknown>;
  for (const field of Object.keys(k))
    if (!KNOWN_FIELDS.has(field)) throw new Error(`${dir}: unsupported field ${field}`);
  const objects: K8sObject[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...(parseYamlFile(path) as K8sObject[]));
  }
  for (const patch of k.patches ?? []) {
    const targets = objects.filter(
      (o) => o.kind === patch.target.kind && (patch.target.name === undefined || o.metadata.name === patch.target.name),
    );
    if (targets.length === 0)
      throw new Error(`${dir}: patch target ${patch.target.kind}/${patch.target.name ?? '*'} not found`);
    const ops = parseAllDocuments(patch.patch)[0].toJS() as Op[];
    for (const target of targets) for (const op of ops) applyOp(target, op);
  }
  for (const object of objects) {
    if (k.namespace) object.metadata.namespace = k.namespace;
    for (const label of k.labels ?? []) {
      if (label.includeSelectors) throw new Error(`${dir}: includeSelectors is not supported here`);
      object.metadata.labels = { ...object.metadata.labels, ...label.pairs };
      if (label.includeTemplates) {
        for (const template of podTemplates(object)) {
          template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...label.pairs } };
        }
      }
    }
    for (const image of k.images ?? []) {
      for (const template of podTemplates(object)) {
        for (const container of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
          const [name, tag] = container.image.split(':');
          if (name !== image.name) continue;
          container.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : tag ? `:${tag}` : ''}`;
        }
      }
    }
  }
  return objects;
}

/** `kubectl kustomize <dir>`, when kubectl is installed; undefined otherwise. */
export function renderWithKubectl(dir: string): K8sObject[] | undefined {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseAllDocuments(output).map((d) => d.toJS() as K8sObject);
}

export const objectKey = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
