import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { createTestApp, TEST_KEYS, TEST_KEYS_CONFIG } from '@test/support/app';

const ROOT = join(__dirname, '..', '..');
const MARKER = '<!-- run by test/integration/docs-shell.int-spec.ts -->';

/** The bash blocks of a document that carry this test's marker, in order, unindented. */
function markedBlocks(doc: string): string[] {
  const text = readFileSync(join(ROOT, 'docs', doc), 'utf8');
  const blocks: string[] = [];
  for (const match of text.matchAll(
    /<!-- run by test\/integration\/docs-shell\.int-spec\.ts -->\n\n( *)```bash\n([\s\S]*?)\n *```/g,
  )) {
    const indent = match[1];
    blocks.push(
      match[2]
        .split('\n')
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
        .join('\n'),
    );
  }
  expect(blocks.length).toBe(text.split(MARKER).length - 1); // every marked block was found
  return blocks;
}

/**
 * A directory for the PATH with what the blocks call beyond bash: `npm run -s key:create` runs the
 * key command from the sources (a build inside a parallel test run would race the others'), and a
 * `curl` stand-in where none is installed (a machine with Node.js alone).
 */
function toolShims(): string {
  const bin = mkdtempSync(join(tmpdir(), 'rts-doc-bin-'));
  const register = join(ROOT, 'test/support/register-ts.js');
  writeFileSync(
    join(bin, 'npm'),
    `#!/usr/bin/env bash
if [ "$1 $2 $3" = "run -s key:create" ]; then shift 4; exec "${process.execPath}" -r "${register}" "${join(ROOT, 'src/cli/create-key.ts')}" "$@"; fi
echo "npm stand-in: unexpected npm $*" >&2; exit 99
`,
  );
  chmodSync(join(bin, 'npm'), 0o755);
  if (spawnSync('sh', ['-c', 'command -v curl']).status !== 0) {
    writeFileSync(
      join(bin, 'curl'),
      `#!${process.execPath}\nrequire(${JSON.stringify(join(__dirname, '../support/curl-shim.js'))});\n`,
    );
    chmodSync(join(bin, 'curl'), 0o755);
  }
  return bin;
}

/** `curl` that fails on any HTTP error (a 401 or 400 is an example that does not work). */
const FAILING_CURL = 'curl() { command curl --fail-with-body "$@"; }\n';

/** Runs `script` with bash (`set -euo pipefail`). */
function bash(script: string, env: Record<string, string>, cwd: string): Promise<{ code: number; out: string }> {
  const prelude = 'set -euo pipefail\n';
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', prelude + script],
      { cwd, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

async function listen(
  apiKeys: string,
  env: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = await createTestApp({ env: { API_KEYS: apiKeys, ...env } });
  await app.listen(0, '127.0.0.1');
  return { app, base: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

// Issue #13, finding 4: API.md's examples answered 401 in a script (an alias), its literal cursor
// was refused, and the runbook's procedures were never run.
describe('the docs’ shell blocks, run as written against a running instance', () => {
  const shims = toolShims();
  const PATH = `${shims}:${process.env.PATH}`;
  const work = mkdtempSync(join(tmpdir(), 'rts-doc-work-'));

  it('docs/API.md: every example succeeds, in order, then the runbook restores the export', async () => {
    const { app, base } = await listen(TEST_KEYS_CONFIG);
    try {
      const [setup, ...examples] = markedBlocks('API.md');
      expect(setup).toContain('AUTH=');
      const script = [
        setup,
        `BASE=${base}`,
        `KEY=${TEST_KEYS.admin}`,
        `AUTH="authorization: Bearer $KEY"`,
        ...examples,
      ];
      const api = await bash(FAILING_CURL + script.join('\n'), { PATH }, work);
      expect({ code: api.code, tail: api.out.slice(-1500) }).toEqual({ code: 0, tail: expect.any(String) });
      expect(api.out).not.toMatch(/"status":(401|400)|invalid_cursor/);

      const [restore] = markedBlocks('RUNBOOK.md').filter((b) => b.includes('threshold-import'));
      const restored = await bash(restore, { PATH, BASE: base, ADMIN_KEY: TEST_KEYS.admin }, work);
      expect({ code: restored.code, out: restored.out }).toEqual({
        code: 0,
        out: expect.stringContaining('"dry_run":false'),
      });
      // The threshold API.md deleted is back, with the id it had.
      const exported = JSON.parse(readFileSync(join(work, 'thresholds_export.json'), 'utf8')) as { id: string }[];
      const now = await fetch(`${base}/v1/admin/risk/threshold-export`, {
        headers: { authorization: `Bearer ${TEST_KEYS.admin}` },
      });
      expect(((await now.json()) as { id: string }[]).map((t) => t.id).sort()).toEqual(
        exported.map((t) => t.id).sort(),
      );
    } finally {
      await app.close();
    }
  }, 120_000);

  it('docs/IMPACT_ANALYSIS.md: the worked example counts, distributes and weighs a band move', async () => {
    const { app, base } = await listen(TEST_KEYS_CONFIG, { SCORE_FLUSH_INTERVAL_MS: '200' });
    try {
      const result = await bash(
        FAILING_CURL + markedBlocks('IMPACT_ANALYSIS.md').join('\n'),
        { PATH, BASE: base, KEY: TEST_KEYS.editor },
        work,
      );
      expect({ code: result.code, tail: result.out.slice(-1500) }).toEqual({ code: 0, tail: expect.any(String) });
      expect(result.out).toContain('"levels":{"minimal":1,"low":3,"medium":1,"high":1,"critical":0}');
      expect(result.out).toContain('"observations":6,"changed":2');
      expect(result.out).toContain(
        '"transitions":[{"category":"financial","from_level":"low","to_level":"medium","count":2}]',
      );
    } finally {
      await app.close();
    }
  }, 120_000);

  it('docs/CHANGE_MANAGEMENT.md: the walk-through, maker to checker to applied', async () => {
    const maker = 'rts_doc_maker_key_000000000000000000000000000';
    const checker = 'rts_doc_checker_key_00000000000000000000000000';
    const keys = `maker:editor:${sha256Hex(maker)},checker:admin:${sha256Hex(checker)}`;
    const { app, base } = await listen(keys, { CHANGE_APPROVALS: '1' });
    try {
      const blocks = markedBlocks('CHANGE_MANAGEMENT.md');
      const result = await bash(
        FAILING_CURL + blocks.join('\n'),
        { PATH, BASE: base, MAKER: maker, CHECKER: checker },
        work,
      );
      expect({ code: result.code, tail: result.out.slice(-1500) }).toEqual({ code: 0, tail: expect.any(String) });
      expect(result.out).toContain('"state":"in_review"');
      expect(result.out).toContain('"state":"applied"');
      expect(result.out).toMatch(/"change_request_id":"[0-9a-f-]{36}","approvers":\["checker"\]/);
    } finally {
      await app.close();
    }
  }, 120_000);

  it('docs/RUNBOOK.md: rotating a key, step by step', async () => {
    const [create, bothWork, oldRefused] = markedBlocks('RUNBOOK.md').filter((b) => !b.includes('threshold-import'));
    const made = await bash(`${create}\nprintf '%s\\n%s\\n' "$NEW_KEY" "$NEW_ENTRY"`, { PATH }, ROOT);
    expect(made.code).toBe(0);
    const [newKey, newEntry] = made.out.trim().split('\n').slice(-2);
    expect(newEntry).toBe(`billing-service-2:reader:${sha256Hex(newKey)}`);

    const env = { PATH, NEW_KEY: newKey, OLD_KEY: TEST_KEYS.reader };
    const both = await listen(`${TEST_KEYS_CONFIG},${newEntry}`); // step 2: the new entry beside the old
    try {
      const result = await bash(bothWork, { ...env, BASE: both.base }, work);
      expect(result).toEqual({ code: 0, out: 'new key accepted\nold key still accepted\n' });
    } finally {
      await both.app.close();
    }
    const adminOnly = TEST_KEYS_CONFIG.split(',').filter((e) => e.startsWith('test-admin:'));
    const after = await listen([...adminOnly, newEntry].join(',')); // step 4: the old entry removed
    try {
      expect(await bash(oldRefused, { ...env, BASE: after.base }, work)).toEqual({ code: 0, out: '401\n' });
      expect(await bash(bothWork.split('\n').slice(0, 2).join('\n'), { ...env, BASE: after.base }, work)).toEqual({
        code: 0,
        out: 'new key accepted\n',
      });
    } finally {
      await after.app.close();
    }
  }, 120_000);
});
