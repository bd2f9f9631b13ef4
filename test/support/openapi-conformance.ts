import type { LightMyRequestResponse } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { renderOpenApiJson } from '@app/modules/docs/openapi';

type Responses = Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
type Doc = {
  paths: Record<string, Record<string, { responses: Responses }>>;
  components: { responses: Responses; schemas: Record<string, unknown> };
};

/**
 * Ajv in 2020-12 mode holding the document's components as `openapi.json` (so
 * `openapi.json#/components/schemas/<Name>` compiles), with the formats the document uses.
 */
export function documentAjv(components: unknown): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('date-time', { validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addSchema({ $id: 'openapi.json', components });
  return ajv;
}

const doc = JSON.parse(renderOpenApiJson()) as Doc;
const ajv = documentAjv(doc.components);
const validators = new Map<unknown, ValidateFunction>();

/** The route templates of the document as patterns, most specific (fewest parameters) first. */
const routes = Object.keys(doc.paths)
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    params: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.params - b.params);

function resolve(response: Responses[string]): Responses[string] {
  return response.$ref ? doc.components.responses[response.$ref.split('/').pop()!] : response;
}

/**
 * Checks an answer against the OpenAPI document (CONTRACT §3; issue #15): a documented status
 * of the operation, a documented content type, and a body that conforms to its schema.
 * Answers to routes the document does not describe (unknown paths) are not checked here.
 */
export function expectConformsToDocument(method: string, url: string, res: LightMyRequestResponse): void {
  // Every answer, documented route or not, carries the request id (CONTRACT §3).
  expect({ url, requestId: typeof res.headers['x-request-id'] }).toEqual({ url, requestId: 'string' });
  const path = url.split('?')[0];
  const route = routes.find((r) => r.pattern.test(path));
  const operation = route && doc.paths[route.template][method.toLowerCase()];
  if (!operation || method === 'HEAD') return;
  const status = String(res.statusCode);
  // Exactly the status: the document names each one (no ranges), so an undocumented one fails.
  const documented = operation.responses[status];
  const where = `${method} ${route.template} -> ${status}`;
  expect({ where, documented: documented !== undefined }).toEqual({ where, documented: true });
  const response = resolve(documented);
  if (!response.content) return;
  const type = String(res.headers['content-type'] ?? '').split(';')[0];
  const media = response.content[type];
  expect({ where, type, documentedType: media !== undefined }).toEqual({ where, type, documentedType: true });
  if (!type.includes('json')) return;
  let validate = validators.get(media.schema);
  if (!validate) {
    // The document's references are relative to it: point them at the document Ajv holds.
    const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"openapi.json#/components/'));
    validate = ajv.compile(schema as object);
    validators.set(media.schema, validate);
  }
  const body: unknown = res.body === '' ? undefined : JSON.parse(res.body);
  const valid = validate(body);
  expect({ where, errors: valid ? null : validate.errors }).toEqual({ where, errors: null });
}
