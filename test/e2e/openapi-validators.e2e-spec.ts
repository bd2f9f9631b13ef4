import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { renderOpenApiJson } from '@app/modules/docs/openapi';
import { seedThresholds } from '@app/modules/thresholds/domain/seed';
import { toThresholdResponse } from '@app/modules/thresholds/http/threshold.mapper';
import type { LightMyRequestResponse } from 'fastify';
import { documentAjv, expectConformsToDocument } from '@test/support/openapi-conformance';

const ROOT = join(__dirname, '..', '..');

/** The generated document in a file of its own (the committed one is compared with it elsewhere). */
function generatedFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rts-openapi-')), 'openapi.json');
  writeFileSync(file, renderOpenApiJson());
  return file;
}

// Issue #15: two independent validators rejected the document its consumers' tools read.
describe('the OpenAPI document, as tools no one here wrote read it', () => {
  it('redocly lint (recommended rules, pinned @redocly/cli): zero errors', async () => {
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'),
          'lint',
          generatedFile(),
          '--extends=recommended',
          '--format=stylish',
        ],
        {
          cwd: ROOT,
          // No network here: no telemetry, no update check.
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', CI: 'true' },
          timeout: 120_000,
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    expect({ code: result.code, errors: result.out.split('\n').filter((l) => /\berror\b/.test(l)) }).toEqual({
      code: 0,
      errors: [],
    });
    expect(result.out).toMatch(/valid/);
  }, 120_000);

  it('@apidevtools/swagger-parser validates it (schema and references)', async () => {
    await expect(SwaggerParser.validate(generatedFile())).resolves.toMatchObject({ openapi: '3.1.0' });
  });
});

describe('the OpenAPI schemas, as a JSON Schema validator reads them', () => {
  it('every component schema compiles with Ajv in 2020-12 mode, and validates a real answer', () => {
    const doc = JSON.parse(renderOpenApiJson()) as { components: { schemas: Record<string, unknown> } };
    const ajv = documentAjv(doc.components);
    const names = Object.keys(doc.components.schemas);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      expect(() => ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` })).not.toThrow();
    }
    // A threshold as the service answers it conforms; one without its risk levels does not.
    const threshold = ajv.compile({ $ref: 'openapi.json#/components/schemas/Threshold' });
    const answer = JSON.parse(JSON.stringify(toThresholdResponse(seedThresholds(new Date())[0]))) as Record<
      string,
      unknown
    >;
    expect({ valid: threshold(answer), errors: threshold.errors ?? null }).toEqual({ valid: true, errors: null });
    const { risk_levels: _dropped, ...incomplete } = answer;
    expect(threshold(incomplete)).toBe(false);
  });
});

describe('the e2e harness checks every answer against the document', () => {
  const answer = (statusCode: number, body: unknown): LightMyRequestResponse =>
    ({
      statusCode,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' },
      body: JSON.stringify(body),
    }) as unknown as LightMyRequestResponse;

  it('and can fail: a non-conforming body, an undocumented status', () => {
    const ok = {
      score: 55,
      level: 'medium',
      category: 'financial',
      threshold_id: null,
      threshold_version: null,
      source: 'builtin',
      risk_levels: { low: 25, medium: 50, high: 75, critical: 90 },
    };
    expect(() => expectConformsToDocument('POST', '/v1/risk/classify', answer(200, ok))).not.toThrow();
    expect(() => expectConformsToDocument('POST', '/v1/risk/classify', answer(200, { level: 'medium' }))).toThrow();
    expect(() => expectConformsToDocument('POST', '/v1/risk/classify', answer(302, ok))).toThrow();
    // An answer without a request id.
    const anonymous = answer(200, ok);
    delete anonymous.headers['x-request-id'];
    expect(() => expectConformsToDocument('POST', '/v1/risk/classify', anonymous)).toThrow();
    // A client error the operation does not name: no 4XX range lets it through.
    expect(() => expectConformsToDocument('POST', '/v1/risk/classify', answer(422, ok))).toThrow();
  });
});
