import { buildOpenApiDocument, OPERATIONS, SECURITY_SCHEMES } from '@app/modules/docs/openapi';

type Doc = {
  servers?: unknown[];
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: Record<string, unknown> }>>;
  components: {
    securitySchemes?: Record<string, unknown>;
    responses: Record<string, unknown>;
    schemas: Record<string, unknown>;
  };
};

// Issue #15: the generator put `securitySchemes` inside every error response, so the operations'
// security requirements named schemes that did not exist, and every schema carried a `$id` with a
// fragment (invalid JSON Schema 2020-12).
describe('the OpenAPI generator', () => {
  const doc = buildOpenApiDocument('0.0.0-test') as unknown as Doc;

  it('declares the security schemes under components.securitySchemes, and only there', () => {
    expect(doc.components.securitySchemes).toEqual(SECURITY_SCHEMES);
    const elsewhere = JSON.stringify({ ...doc, components: { ...doc.components, securitySchemes: undefined } });
    expect(elsewhere).not.toContain('securitySchemes');
  });

  it('every security requirement names a declared scheme; probes and docs need none', () => {
    for (const op of OPERATIONS) {
      const { security } = doc.paths[op.path][op.method];
      expect(security).toBeDefined();
      for (const requirement of security ?? []) {
        for (const name of Object.keys(requirement)) expect(Object.keys(SECURITY_SCHEMES)).toContain(name);
      }
      if (op.tag === 'operations' || op.tag === 'docs') expect(security).toEqual([]);
    }
  });

  it('no schema carries $id or $schema; every operation has a 4xx answer; servers are declared', () => {
    expect(JSON.stringify(doc.components.schemas)).not.toMatch(/"\$id"|"\$schema"/);
    for (const op of OPERATIONS) {
      const statuses = Object.keys(doc.paths[op.path][op.method].responses);
      expect({ op: op.operationId, has4xx: statuses.some((s) => s.startsWith('4')) }).toEqual({
        op: op.operationId,
        has4xx: true,
      });
    }
    expect(doc.servers).toEqual([{ url: '/', description: 'This service' }]);
  });

  // A docs page that generates a sample from the schema sends random bands, the nil UUID, junk.
  it('every operation with a body has an example, and it is a body the API accepts', () => {
    const withBody = OPERATIONS.filter((op) => op.body !== undefined);
    expect(withBody.filter((op) => op.example === undefined).map((op) => op.operationId)).toEqual([]);
    for (const op of withBody) {
      expect({ op: op.operationId, issues: op.body?.safeParse(op.example).error?.issues ?? [] }).toEqual({
        op: op.operationId,
        issues: [],
      });
    }
  });
});
