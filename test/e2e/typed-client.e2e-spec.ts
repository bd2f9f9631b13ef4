import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import createClient from 'openapi-fetch';
import ts from 'typescript';
import { createTestApp, TEST_KEYS } from '@test/support/app';

const ROOT = join(__dirname, '..', '..');

/** The compiler's errors for `files` (strict, as the console will compile its client). */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    skipLibCheck: true,
    baseUrl: ROOT,
    paths: { 'openapi-fetch': ['node_modules/openapi-fetch'] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName.split('/').pop() ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

// Issue #15: a typed client generated from the committed document (openapi-typescript +
// openapi-fetch, what the console will use) type-checks and talks to the service.
describe('a typed client generated from docs/openapi.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rts-client-'));
  execFileSync(process.execPath, [
    join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'),
    join(ROOT, 'docs/openapi.json'),
    '-o',
    join(dir, 'api.d.ts'),
  ]);
  const file = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(
      path,
      `import createClient from 'openapi-fetch';\nimport type { paths } from './api';\n` +
        `const client = createClient<paths>({ baseUrl: 'http://localhost:8080' });\n${body}\n`,
    );
    return path;
  };

  it('type-checks a classify call, and refuses one the document does not allow', () => {
    const good = file(
      'good.ts',
      `export async function level(): Promise<string | undefined> {
         const { data } = await client.POST('/v1/risk/classify', { body: { score: 55, category: 'financial' } });
         return data?.level;
       }
       // Query parameters typed as sent: a number, a boolean (not the strings the server parses).
       export async function page(): Promise<number | undefined> {
         const { data } = await client.GET('/v1/admin/risk/thresholds', { params: { query: { limit: 2, is_active: true } } });
         return data?.count;
       }`,
    );
    expect(typeErrors([good])).toEqual([]);
    const wrongBody = file(
      'wrong-body.ts',
      `void client.POST('/v1/risk/classify', { body: { score: 'high', category: 'financial' } });`,
    );
    expect(typeErrors([wrongBody]).length).toBeGreaterThan(0);
    const wrongPath = file('wrong-path.ts', `void client.GET('/v1/risk/nothing-here');`);
    expect(typeErrors([wrongPath]).length).toBeGreaterThan(0);
    const wrongQuery = file(
      'wrong-query.ts',
      `void client.GET('/v1/admin/risk/thresholds', { params: { query: { limit: 'two' } } });`,
    );
    expect(typeErrors([wrongQuery]).length).toBeGreaterThan(0);
  }, 60_000);

  it('makes a classify call against the running service', async () => {
    const app: NestFastifyApplication = await createTestApp();
    await app.listen(0, '127.0.0.1');
    try {
      const client = createClient({
        baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`,
        headers: { authorization: `Bearer ${TEST_KEYS.reader}` },
      });
      const { data, response } = await client.POST(
        '/v1/risk/classify' as never,
        {
          body: { score: 55, category: 'financial', industry_code: '5221' },
        } as never,
      );
      expect(response.status).toBe(200);
      expect(data).toMatchObject({ score: 55, level: 'medium', source: 'match' });
    } finally {
      await app.close();
    }
  });
});
