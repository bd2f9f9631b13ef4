import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OPERATIONS, renderOpenApiJson } from '@app/modules/docs/openapi';
import { createTestApp, routesOf, send } from '@test/support/app';

describe('API documentation', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves the OpenAPI 3.1 document at /docs/openapi.json, equal to the committed docs/openapi.json', async () => {
    const res = await send(app, 'GET', '/docs/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8');
    // When this fails, run `npm run docs:generate` and review the diff.
    expect(committed).toBe(renderOpenApiJson());
    expect(res.json()).toEqual(JSON.parse(committed));
    expect(res.json().openapi).toBe('3.1.0');
  });

  it('documents exactly the routes the app serves', () => {
    const served = routesOf(app)
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`);
    // Static assets of the docs page, and the console's pages and files, are not API operations.
    const assets = served.filter((r) => r.startsWith('GET /docs/assets/') || /^GET \/console(\/|$)/.test(r));
    expect(served.filter((r) => !assets.includes(r))).toEqual([...documented].sort());
    expect(assets.length).toBeGreaterThan(0);
  });

  it('every $ref in the document resolves', async () => {
    const doc = (await send(app, 'GET', '/docs/openapi.json')).json();
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) {
      const path = ref.slice(8, -1).replace(/^#\//, '').split('/');
      const target = path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect({ ref, found: target !== undefined }).toEqual({ ref, found: true });
    }
  });

  it('serves the interactive docs page and its assets from the installed package', async () => {
    const page = await send(app, 'GET', '/docs');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('/docs/assets/swagger-ui-bundle.js');
    const types = { 'swagger-ui-bundle.js': 'javascript', 'swagger-ui.css': 'css', 'init.js': 'javascript' };
    for (const [asset, type] of Object.entries({ ...types, 'favicon-32x32.png': 'image/png' })) {
      const res = await send(app, 'GET', `/docs/assets/${asset}`);
      expect({ asset, status: res.statusCode, type: res.headers['content-type'] }).toEqual({
        asset,
        status: 200,
        type: expect.stringContaining(type),
      });
      expect(res.rawPayload.length).toBeGreaterThan(50);
    }
    // The page names its icon, so a browser does not ask for a /favicon.ico that is not there.
    expect(page.body).toContain('href="/docs/assets/favicon-32x32.png"');
    expect((await send(app, 'GET', '/docs/assets/package.json')).statusCode).toBe(404);
    // Names every object has are no assets either (they were a 500).
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect({ name, status: (await send(app, 'GET', `/docs/assets/${name}`)).statusCode }).toEqual({
        name,
        status: 404,
      });
    expect((await send(app, 'GET', '/docs/assets/..%2Fpackage.json')).statusCode).toBe(404);
  });
});
