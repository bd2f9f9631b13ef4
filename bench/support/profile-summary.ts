/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by where the code
 * lives (Node.js itself, Fastify, Nest, pino, prom-client, zod, the service's own modules…).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Share of the profile's time by place, largest first. */
  places: { place: string; share: number }[];
  /** Functions by self time, largest first. */
  functions: { name: string; place: string; share: number }[];
}

/** Where a function lives: a package, the service's module, or Node.js / V8 itself. */
export function placeOf(url: string, name: string): string {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/(?:src\/)?modules\/([^/]+)/.exec(url) ?? /\/src\/modules\/([^/]+)/.exec(url);
  if (own) return `service: ${own[1]}`;
  if (url.startsWith('node:') || url === '') return 'node.js';
  return url.replace(/^.*\/dist\//, 'service: ');
}

export function summarise(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const idle = [...self]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const places = new Map<string, number>();
  const functions = new Map<string, { place: string; time: number }>();
  for (const [id, time] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const place = placeOf(url, functionName);
    places.set(place, (places.get(place) ?? 0) + time);
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}`;
    const entry = functions.get(name) ?? { place, time: 0 };
    entry.time += time;
    functions.set(name, entry);
  }
  const share = (t: number): number => Math.round((t / busy) * 1000) / 10;
  return {
    totalMs: Math.round(busy / 1000),
    places: [...places].sort((a, b) => b[1] - a[1]).map(([place, t]) => ({ place, share: share(t) })),
    functions: [...functions]
      .sort((a, b) => b[1].time - a[1].time)
      .slice(0, top)
      .map(([name, f]) => ({ name, place: f.place, share: share(f.time) })),
  };
}

/**
 * `node -r ./test/support/register-ts.js bench/support/profile-summary.ts <file.cpuprofile>... [--top N]`:
 * each profile's self time by place and its N busiest functions (25 by default). A profile covers
 * the whole process, start-up included: warm the service up and load it long enough (10 s or more)
 * for start-up to be a small share.
 */
if (require.main === module) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt === -1 ? 25 : Number(args[topAt + 1]);
  const files = args.filter((_, i) => topAt === -1 || (i !== topAt && i !== topAt + 1));
  if (files.length === 0) throw new Error('usage: profile-summary.ts <file.cpuprofile>... [--top N]');
  for (const file of files) {
    const s = summarise(file, top);
    process.stdout.write(`${file}: busy ${s.totalMs} ms\n`);
    for (const p of s.places.filter((p) => p.share >= 0.5))
      process.stdout.write(`${String(p.share).padStart(5)} %  ${p.place}\n`);
    process.stdout.write('\n');
    for (const f of s.functions) process.stdout.write(`${String(f.share).padStart(5)} %  ${f.name}  [${f.place}]\n`);
    process.stdout.write('\n');
  }
}
