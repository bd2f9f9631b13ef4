// Validates Kubernetes objects (a JSON array on stdin) against the Kubernetes API schemas of the
// `kubernetes-models` packages; prints a JSON array of {key, error} for the invalid ones. A
// separate process because those packages are ESM-only and Jest runs CommonJS.
const MODULES = {
  'monitoring.coreos.com/v1': (kind) => `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`,
};
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = [];
for (const object of objects) {
  const key = `${object.kind}/${object.metadata?.name}`;
  const group = object.apiVersion.includes('/') ? object.apiVersion : `v1`;
  const specifier = MODULES[group]?.(object.kind) ?? `kubernetes-models/${group}/${object.kind}`;
  try {
    const module = await import(specifier);
    const Model = module[object.kind];
    new Model(object).validate();
    results.push({ key, valid: true });
  } catch (error) {
    results.push({ key, valid: false, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify(results));
