/**
 * The rules of the threshold resource (CONTRACT §2) as zod schemas over the wire field values.
 * Zod is plain TypeScript: the HTTP layer composes these into request schemas (which also
 * drive the OpenAPI document), the domain uses them directly, and the console (web/) validates
 * while people type with this very module, so each rule is written once. Keep it free of Node
 * and Nest: it runs in the browser too.
 */
import { z } from 'zod';
import type { Violation } from './errors';
import { BOUND_KEYS, CATEGORIES, canonicalId, METADATA_MAX_BYTES, PRIORITY_MAX, PRIORITY_MIN } from './threshold';

export const categorySchema = z.enum(CATEGORIES, {
  error: () => `must be one of: ${CATEGORIES.join(', ')}`,
});

/** A UUID in any case, made canonical before it is checked (so `FFFFFFFF-…` is the max UUID too). */
export const uuidSchema = z.preprocess(
  (value) => (typeof value === 'string' ? canonicalId(value) : value),
  z.uuid({ error: 'must be a UUID' }),
);

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The id a client may give a new threshold: a UUID other than the nil UUID, which reads as "no
 * id" to too many tools (and a store paging from it would skip it).
 */
export const newIdSchema = z
  .preprocess(
    (value) => (typeof value === 'string' ? canonicalId(value) : value),
    z.uuid({ error: 'must be a UUID' }).refine((id) => id !== NIL_UUID, { error: 'must not be the nil UUID' }),
  )
  // The refinement, as the document's readers see it.
  .meta({ not: { const: NIL_UUID } });

export const nameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(255, { error: 'must be at most 255 characters' });

export const descriptionSchema = z.string({ error: 'must be a string or null' }).max(2000, {
  error: 'must be at most 2000 characters',
});

export const industryCodeSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9]{1,20}$/, { error: 'must be 1-20 characters of A-Z, a-z, 0-9' });

export const businessTypeSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' });

export const prioritySchema = z
  .number({ error: 'must be an integer' })
  .int({ error: 'must be an integer' })
  .min(PRIORITY_MIN, { error: `must be at least ${PRIORITY_MIN}` })
  .max(PRIORITY_MAX, { error: `must be at most ${PRIORITY_MAX}` });

/** Deepest nesting accepted in `metadata`: deeper JSON is refused before anything recurses into it. */
export const METADATA_MAX_DEPTH = 32;

/** The nesting depth of a JSON value, measured without recursion (a hostile value cannot overflow the stack). */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** UTF-8 byte lengths with the web platform's encoder: the console imports these rules too (no Buffer there). */
const utf8Bytes = new TextEncoder();

export const metadataSchema = z
  .record(z.string(), z.unknown(), { error: 'must be a JSON object or null' })
  .superRefine((m, ctx) => {
    if (depthOf(m, METADATA_MAX_DEPTH) > METADATA_MAX_DEPTH) {
      ctx.addIssue({
        code: 'custom',
        message: `must nest at most ${METADATA_MAX_DEPTH} levels deep`,
        params: { code: 'too_deep' },
      });
    } else if (utf8Bytes.encode(JSON.stringify(m)).length > METADATA_MAX_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${METADATA_MAX_BYTES} bytes when serialized`,
        params: { code: 'too_large' },
      });
    }
  });

/** A score to classify: a finite number within [0, 100]. */
export const scoreSchema = z
  .number({ error: 'must be a number' })
  .min(0, { error: 'must be between 0 and 100' })
  .max(100, { error: 'must be between 0 and 100' });

const boundSchema = z
  .number({ error: 'must be a finite number' })
  .min(0, { error: 'must be at least 0' })
  .max(100, { error: 'must be at most 100' });

/** `risk_levels`: exactly low/medium/high/critical, finite, `0 ≤ low < medium < high < critical ≤ 100`. */
export const riskLevelsSchema = z
  .strictObject(
    { low: boundSchema, medium: boundSchema, high: boundSchema, critical: boundSchema },
    {
      error: (issue) =>
        issue.code === 'invalid_type' ? 'must be an object with low, medium, high, critical' : undefined,
    },
  )
  .superRefine((levels, ctx) => {
    for (let i = 1; i < BOUND_KEYS.length; i++) {
      const below = BOUND_KEYS[i - 1];
      const key = BOUND_KEYS[i];
      if (!(levels[key] > levels[below])) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `must be greater than ${below} (${levels[below]})`,
          params: { code: 'not_ascending' },
        });
      }
    }
  });

/** Turns zod issues into the API's violations, with JSON-pointer-like paths. */
export function toViolations(error: z.ZodError, prefix = ''): Violation[] {
  const out: Violation[] = [];
  for (const issue of error.issues) {
    const base = `${prefix}${issue.path.map((p) => `/${String(p)}`).join('')}`;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: `${base}/${key}`, message: 'is not a known field', code: 'unknown_field' });
      }
      continue;
    }
    out.push({ field: base || '/', message: messageOf(issue), code: codeOf(issue) });
  }
  return out;
}

/** A field that is absent (issues carry their input when parsed with `reportInput`, see `check`). */
function isMissing(issue: z.core.$ZodIssue): boolean {
  return (
    (issue.code === 'invalid_type' || issue.code === 'invalid_value') && 'input' in issue && issue.input === undefined
  );
}

function messageOf(issue: z.core.$ZodIssue): string {
  return isMissing(issue) ? 'is required' : issue.message;
}

function codeOf(issue: z.core.$ZodIssue): string {
  if (isMissing(issue)) return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return 'invalid_type';
    case 'too_small':
    case 'too_big':
      return issue.origin === 'string' ? (issue.code === 'too_small' ? 'too_short' : 'too_long') : 'out_of_range';
    case 'invalid_value':
    case 'invalid_union':
      return 'invalid_value';
    case 'invalid_format':
      return 'invalid_format';
    case 'custom': {
      const code = (issue.params as { code?: unknown } | undefined)?.code;
      return typeof code === 'string' ? code : 'invalid';
    }
    default:
      return 'invalid';
  }
}

/** Parses `input`; on failure the issues carry their input, so a missing field reads as `required`. */
export function check<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix = '',
): { ok: true; value: z.output<S> } | { ok: false; violations: Violation[] } {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, violations: toViolations(result.error, prefix) };
}

/** Every rule `risk_levels` breaks, as violations under `/risk_levels`; empty when valid. */
export function validateRiskLevels(input: unknown): Violation[] {
  const result = check(riskLevelsSchema, input, '/risk_levels');
  return result.ok ? [] : result.violations;
}
