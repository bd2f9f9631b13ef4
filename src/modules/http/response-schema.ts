import type { FastifySchema } from 'fastify';
import { z } from 'zod';

type Json = Record<string, unknown>;

/**
 * Folds `anyOf: [{type: T, ...}, {type: 'null'}]` into `{type: [T, 'null'], ...}` and drops
 * `pattern` and `format` (validation keywords: responses are built by the service, not checked),
 * so fast-json-stringify compiles straight-line code rather than trying branches at run time.
 */
function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === 'pattern' || key === 'format' || key === '$schema') continue;
    out[key] = simplify(value);
  }
  const anyOf = out.anyOf as Json[] | undefined;
  if (anyOf?.length === 2) {
    const nonNull = anyOf.find((s) => s.type !== 'null');
    const hasNull = anyOf.some((s) => s.type === 'null' && Object.keys(s).length === 1);
    if (hasNull && nonNull && typeof nonNull.type === 'string') {
      delete out.anyOf;
      return { ...out, ...nonNull, type: [nonNull.type, 'null'] };
    }
  }
  return out;
}

/**
 * The route schema that makes Fastify serialize a `200` with fast-json-stringify, compiled once
 * from the same zod schema that documents the response (OpenAPI) and that the e2e tests check
 * real answers against. Properties the schema does not name are never sent.
 */
export function okResponse(schema: z.ZodType): FastifySchema {
  return { response: { 200: simplify(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' })) } };
}
