import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  return new Set([
    ...[...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]),
    ...[...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])),
  ]);
}

describe('documentation links', () => {
  const markdown = [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs'), /\.md$/)];

  it('every relative link of the Markdown files points to a file, and to an anchor that exists', () => {
    const broken: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const resolved = path ? resolve(dirname(file), path) : file;
        const where = `${relative(ROOT, file)} -> ${target}`;
        if (!existsSync(resolved)) broken.push(`${where}: no such file`);
        else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
          broken.push(`${where}: no such anchor`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('every docs/<FILE>.md#anchor named by the code, the CLI and the manifests exists', () => {
    const sources = [...files(join(ROOT, 'src'), /\.ts$/), ...files(join(ROOT, 'deploy'), /\.ya?ml$/)];
    const references = sources.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/docs\/([A-Z_]+\.md)(?:#([a-z0-9-]+))?/g)].map((m) => ({
        from: relative(ROOT, file),
        file: m[1],
        anchor: m[2],
      })),
    );
    expect(references.length).toBeGreaterThan(10);
    const broken = references.filter(
      (r) =>
        !existsSync(join(ROOT, 'docs', r.file)) || (r.anchor && !anchorsOf(join(ROOT, 'docs', r.file)).has(r.anchor)),
    );
    expect(broken).toEqual([]);
  });

  // Issue #13, finding 7: the docs cited files a user of this repository does not have.
  it('no document or comment points outside the repository', () => {
    const sources = [...markdown, ...files(join(ROOT, 'src'), /\.ts$/)];
    const outside: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(
        /\bSPEC\b|shared\/[A-Z]+\.md|\.\.\/\.\.\/shared|\]\((\.\.\/)+(?!deploy|scripts|src|test|\.ci|package)[^)]*\)/g,
      )) {
        outside.push(`${relative(ROOT, file)}: ${m[0]}`);
      }
    }
    expect(outside).toEqual([]);
  });

  // Issue #13, finding 4: every shell block is run by a test or says it is illustrative.
  it('every shell block of the docs is run by a named test, or marked illustrative', () => {
    const unaccounted: string[] = [];
    for (const file of markdown) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/^ *```(bash|sh|shell)\b/.test(line)) return;
        const previous =
          lines
            .slice(0, i)
            .reverse()
            .find((l) => l.trim() !== '')
            ?.trim() ?? '';
        const runBy = /^<!-- run by (\S+) -->$/.exec(previous)?.[1];
        const ok =
          previous === '<!-- illustrative -->' ||
          (runBy !== undefined &&
            existsSync(join(ROOT, runBy)) &&
            readFileSync(join(ROOT, runBy), 'utf8').includes(relative(ROOT, file).replace(/^docs\//, '')));
        if (!ok) unaccounted.push(`${relative(ROOT, file)}:${i + 1}`);
      });
    }
    expect(unaccounted).toEqual([]);
  });
});
