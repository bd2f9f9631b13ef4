import Ajv from 'ajv';
import { z } from 'zod';
import { type SchemaPipe } from '@app/modules/http/schema.pipe';

/**
 * Strict JSON Schema validation, as zod checks: no coercion, no defaults, no removed properties;
 * string lengths in code points, as zod counts them (ajv's default).
 */
const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  allErrors: false,
  strict: false,
  allowUnionTypes: true,
});

/**
 * A request part's validation compiled once from its zod schema (JSON Schema, compiled to code by
 * ajv): the hot routes' fast path. Only for schemas whose output is their input (no transforms,
 * defaults or refinements: JSON Schema cannot carry them): a value the compiled check accepts is
 * handed on as it is; anything else goes through the zod schema, whose violations are the answer
 * (so a refusal reads exactly as on every other route), and whose verdict wins if the two ever
 * differed. `test/e2e/compiled-check.e2e-spec.ts` checks the two agree on the hostile-input corpus.
 */
export function compiledCheck<S extends z.ZodType>(schema: S, pipe: SchemaPipe<S>): (value: unknown) => z.output<S> {
  const fast = compiledSchema(schema);
  return (value: unknown) => (fast(value) ? (value as z.output<S>) : pipe.transform(value));
}

/** A zod schema's compiled JSON Schema validation (true: valid). */
export function compiledSchema(schema: z.ZodType): (value: unknown) => boolean {
  const validate = ajv.compile(z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'throw' }));
  return (value) => validate(value);
}
