/**
 * Request and response schemas of the thresholds API (snake_case on the wire). They validate
 * requests, and the same objects generate the OpenAPI document, so the two cannot drift.
 */
import { z } from 'zod';
import {
  businessTypeSchema,
  categorySchema,
  descriptionSchema,
  industryCodeSchema,
  metadataSchema,
  nameSchema,
  prioritySchema,
  riskLevelsSchema,
  scoreSchema,
  newIdSchema,
  uuidSchema,
} from '@app/modules/thresholds/domain/threshold.rules';
import { HISTORY_ACTIONS } from '@app/modules/thresholds/domain/history';
import { LEVELS } from '@app/modules/thresholds/domain/threshold';

const bool = z.boolean({ error: 'must be true or false' });
const booleanQuery = z
  .enum(['true', 'false'], { error: "must be 'true' or 'false'" })
  .transform((v) => v === 'true')
  .pipe(z.boolean());
const actorSchema = z.string({ error: 'must be a string' }).min(1).max(255);
/** Whether a date is valid and, in UTC, within years 1970-9999. */
function inPrintableYears(date: Date): boolean {
  return !Number.isNaN(date.getTime()) && /^(19[7-9]\d|[2-9]\d{3})-/.test(date.toISOString());
}

/** An RFC 3339 date-time that is, in UTC, within years 1970-9999 (what every reader and the store can print). */
const timestampSchema = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 date-time' }).pipe(
  // A pipe: checked only once the format passed (one error per field).
  z.string().refine((v) => inPrintableYears(new Date(v)), {
    error: 'must be an RFC 3339 date-time between 1970 and 9999 (UTC)',
  }),
);

/** The client-settable fields; `id` only on create. */
const writableFields = {
  name: nameSchema,
  description: descriptionSchema.nullable().optional(),
  category: categorySchema,
  industry_code: industryCodeSchema.nullable().optional(),
  business_type: businessTypeSchema.nullable().optional(),
  risk_levels: riskLevelsSchema,
  is_default: bool.optional(),
  is_active: bool.optional(),
  priority: prioritySchema.optional(),
  metadata: metadataSchema.nullable().optional(),
};

/** Every client field of a threshold (optional ones take their defaults): a change request's proposed state. */
export const thresholdFieldsBody = z.strictObject(writableFields).meta({
  id: 'ThresholdFields',
  description:
    'The complete proposed state of a threshold: every client field (absent optional ones take their defaults).',
});
export type ThresholdFieldsBody = z.output<typeof thresholdFieldsBody>;

export const createThresholdBody = z.strictObject({ id: newIdSchema.optional(), ...writableFields }).meta({
  id: 'CreateThreshold',
  description: 'A new threshold. `id` is optional; the server assigns one when absent.',
});
export type CreateThresholdBody = z.output<typeof createThresholdBody>;

export const patchThresholdBody = z
  .strictObject({
    name: nameSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    category: categorySchema.optional(),
    industry_code: industryCodeSchema.nullable().optional(),
    business_type: businessTypeSchema.nullable().optional(),
    risk_levels: riskLevelsSchema.optional(),
    is_default: bool.optional(),
    is_active: bool.optional(),
    priority: prioritySchema.optional(),
    metadata: metadataSchema.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { error: 'must contain at least one field to change' })
  .meta({
    id: 'PatchThreshold',
    description: 'A partial change: only the fields sent change; `null` clears a nullable field.',
  });
export type PatchThresholdBody = z.output<typeof patchThresholdBody>;

/** One item of an import file: the export format (server fields optional, kept on create). */
export const importItemSchema = z
  .strictObject({
    id: newIdSchema.optional(),
    ...writableFields,
    // The store's integer is 32-bit, and an ETag must stay one If-Match can send back.
    version: z.number().int().min(1).max(2_000_000_000).optional(),
    created_at: timestampSchema.optional(),
    updated_at: timestampSchema.optional(),
    created_by: actorSchema.optional(),
    last_modified_by: actorSchema.optional(),
  })
  .meta({ id: 'ImportItem' });
export type ImportItem = z.output<typeof importItemSchema>;

export const MAX_IMPORT_ITEMS = 10_000;

export const importBodyDoc = z
  .union([
    z.array(importItemSchema).max(MAX_IMPORT_ITEMS),
    z.strictObject({ thresholds: z.array(importItemSchema).max(MAX_IMPORT_ITEMS) }),
  ])
  .meta({ id: 'ImportBody', description: 'The export array, or `{thresholds: [...]}`.' });

export const importQuery = z.object({
  mode: z.enum(['upsert', 'replace'], { error: "must be 'upsert' or 'replace'" }).default('upsert'),
  dry_run: booleanQuery.default(false),
  as_change_request: booleanQuery.default(false),
});
export type ImportQuery = z.output<typeof importQuery>;

/** A page size in a query string: digits, 1 to `max`. */
export function pageLimitQuery(
  max: number,
): z.ZodPipe<z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>, z.ZodInt> {
  const error = `must be an integer from 1 to ${max}`;
  return z.string().regex(/^\d+$/, { error }).transform(Number).pipe(z.int().min(1, { error }).max(max, { error }));
}
const limitQuery = pageLimitQuery(500);

export const listQuery = z.object({
  category: categorySchema.optional(),
  industry_code: industryCodeSchema.optional(),
  business_type: businessTypeSchema.optional(),
  limit: limitQuery.default(100).meta({ description: 'Page size, 1-500 (default 100).' }),
  cursor: z.string().min(1).max(512).optional().meta({ description: 'The next_cursor of the previous page (opaque).' }),
});
export type ListQuery = z.output<typeof listQuery>;

export const adminListQuery = listQuery.extend({ is_active: booleanQuery.optional() });
export type AdminListQuery = z.output<typeof adminListQuery>;

export const matchQuery = z.object({
  category: categorySchema,
  industry_code: industryCodeSchema.optional(),
  business_type: businessTypeSchema.optional(),
});
export type MatchQuery = z.output<typeof matchQuery>;

export const factorsQuery = z.object({ category: categorySchema.optional() });

export const classifyBody = z
  .strictObject({
    score: scoreSchema,
    category: categorySchema,
    industry_code: industryCodeSchema.nullable().optional(),
    business_type: businessTypeSchema.nullable().optional(),
  })
  .meta({ id: 'ClassifyRequest' });
export type ClassifyBody = z.output<typeof classifyBody>;

export const MAX_BATCH_ITEMS = 1000;

export const classifyBatchBody = z
  .strictObject({
    items: z
      .array(classifyBody, { error: 'must be an array of classification requests' })
      .min(1, { error: 'must hold at least 1 item' })
      .max(MAX_BATCH_ITEMS, { error: `must hold at most ${MAX_BATCH_ITEMS} items` }),
  })
  .meta({ id: 'ClassifyBatchRequest' });
export type ClassifyBatchBody = z.output<typeof classifyBatchBody>;

export const idParam = uuidSchema;

/** A version number in a path: 1 to 2^31-1, digits only. */
export const versionParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, { error: 'must be a version number (1 or more)' })
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, { error: 'must be a version number (1 or more)' }));

// ---- responses (documentation, and checked against real responses by the e2e tests) ----

const riskLevelsOut = z
  .object({ low: z.number(), medium: z.number(), high: z.number(), critical: z.number() })
  .meta({ id: 'RiskLevels', description: 'Inclusive lower bound of each level above minimal.' });

/** The client fields of a threshold as answered. */
export const thresholdFieldsResponse = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    category: categorySchema,
    industry_code: z.string().nullable(),
    business_type: z.string().nullable(),
    risk_levels: riskLevelsOut,
    is_default: z.boolean(),
    is_active: z.boolean(),
    priority: prioritySchema,
    metadata: z.record(z.string(), z.unknown()).nullable(),
  })
  .strict();

export const thresholdResponse = z
  .object({
    id: z.uuid(),
    ...thresholdFieldsResponse.shape,
    version: z.number().int().min(1),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    created_by: z.string(),
    last_modified_by: z.string(),
  })
  .strict()
  .meta({ id: 'Threshold' });
export type ThresholdResponse = z.output<typeof thresholdResponse>;

export const thresholdListResponse = z
  .object({
    thresholds: z.array(thresholdResponse),
    count: z.number().int(),
    next_cursor: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'ThresholdList' });

const sourceSchema = z.enum(['match', 'default', 'builtin']);

export const matchResponse = z
  .object({
    threshold_id: z.uuid().nullable(),
    source: sourceSchema,
    risk_levels: riskLevelsOut,
    threshold: thresholdResponse.nullable(),
    reason: z.string(),
  })
  .strict()
  .meta({ id: 'MatchResult' });

export const classificationResponse = z
  .object({
    score: z.number(),
    level: z.enum(LEVELS),
    category: categorySchema,
    threshold_id: z.uuid().nullable(),
    threshold_version: z.int().min(1).nullable().meta({
      description:
        'The version of the threshold whose bands decided (null for builtin): with the threshold id, it names the exact bands (GET /v1/admin/risk/thresholds/{id}/versions/{version}).',
    }),
    source: sourceSchema,
    risk_levels: riskLevelsOut,
  })
  .strict()
  .meta({ id: 'Classification' });

export const pastClassifyBody = classifyBody
  .extend({
    as_of: timestampSchema.meta({ description: 'The past instant whose thresholds decide (RFC 3339).' }),
  })
  .meta({ id: 'PastClassifyRequest' });
export type PastClassifyBody = z.output<typeof pastClassifyBody>;

export const pastClassificationResponse = classificationResponse
  .extend({ as_of: z.iso.datetime() })
  .meta({ id: 'PastClassification', description: 'The answer the service would have given at as_of.' });

export const classificationBatchResponse = z
  .object({ results: z.array(classificationResponse) })
  .strict()
  .meta({ id: 'ClassificationBatch' });

export const categoriesResponse = z
  .object({ categories: z.array(z.object({ name: categorySchema, description: z.string() }).strict()) })
  .strict()
  .meta({ id: 'Categories' });

export const factorsResponse = z
  .object({
    factors: z.array(
      z
        .object({
          name: z.string(),
          category: categorySchema,
          weight: z.number(),
          description: z.string(),
          bands: riskLevelsOut,
        })
        .strict(),
    ),
  })
  .strict()
  .meta({ id: 'RiskFactors' });

export const exportResponse = z.array(thresholdResponse).meta({ id: 'ThresholdExport' });

export const importResponse = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    deleted: z.number().int(),
    dry_run: z.boolean(),
  })
  .strict()
  .meta({ id: 'ImportResult' });

const historyEntryResponse = z
  .object({
    version: z.number().int(),
    action: z.enum(HISTORY_ACTIONS),
    actor: z.string(),
    at: z.iso.datetime(),
    request_id: z.string().nullable().meta({
      description: "The request's id: the caller's X-Request-Id when it sent one (for correlation, not unique).",
    }),
    server_request_id: z.uuid().nullable().meta({
      description: "The server's own id of the writing request: unique (null for entries written before 1.x).",
    }),
    change_request_id: z
      .uuid()
      .nullable()
      .meta({ description: 'The change request this write applied (null for a direct write).' }),
    approvers: z.array(z.string()).nullable().meta({ description: 'Who approved that change request.' }),
    changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }).strict()).meta({
      description: 'The fields that changed, by wire name: {from, to} (null before a create, after a delete).',
    }),
  })
  .strict()
  .meta({ id: 'HistoryEntry' });
export type HistoryEntryResponse = z.output<typeof historyEntryResponse>;

export const historyResponse = z
  .object({ threshold_id: z.uuid(), history: z.array(historyEntryResponse) })
  .strict()
  .meta({ id: 'ThresholdHistory', description: 'The audit trail of a threshold, newest first.' });

export const thresholdVersionResponse = z
  .object({
    threshold_id: z.uuid(),
    version: z.number().int().min(1),
    threshold: thresholdFieldsResponse.meta({ description: 'Every client field as it stood at this version.' }),
    origin: z.enum([...HISTORY_ACTIONS, 'seed']).meta({
      description: "The write that produced this version; seed for a seed threshold's first version (no trail entry).",
    }),
    written_by: z.string().nullable(),
    written_at: z.iso.datetime().nullable().meta({ description: "Null only for a deleted seed's first version." }),
    request_id: z.string().nullable(),
    superseded_at: z.iso.datetime().nullable().meta({
      description: 'When a later write replaced this version or a delete removed it; null while it is current.',
    }),
    deleted: z.boolean().meta({ description: 'Whether this version ended with the threshold being deleted.' }),
  })
  .strict()
  .meta({
    id: 'ThresholdVersion',
    description: 'A threshold as it stood at one version, rebuilt from the audit trail.',
  });
export type ThresholdVersionResponse = z.output<typeof thresholdVersionResponse>;
