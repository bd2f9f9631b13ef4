/** Request and response schemas of the change-request API (snake_case on the wire). */
import { z } from 'zod';
import { CHANGE_OPS, CHANGE_STATES, DECISIONS } from '@app/modules/changes/domain/change-request';
import { impactResponse } from '@app/modules/observations/http/impact.schema';
import { newIdSchema, uuidSchema } from '@app/modules/thresholds/domain/threshold.rules';
import {
  pageLimitQuery,
  patchThresholdBody,
  thresholdFieldsBody,
  thresholdFieldsResponse,
} from '@app/modules/thresholds/http/threshold.schemas';

/** The most items a change request holds (CONTRACT §7.1). */
export const MAX_CHANGE_ITEMS = 1000;
const MAX_ITEMS = MAX_CHANGE_ITEMS;
const text = (min: number, max: number): z.ZodString =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(min, { error: `must be ${min}-${max} characters` })
    .max(max, { error: `must be ${min}-${max} characters` });
const versionSchema = z.int({ error: 'must be a version number' }).min(1).max(2_000_000_000);

const itemSchema = z
  .discriminatedUnion(
    'op',
    [
      z.strictObject({
        op: z.literal('create'),
        threshold_id: newIdSchema.optional().meta({ description: "The new threshold's id; generated when absent." }),
        base_version: z.null().optional(),
        threshold: thresholdFieldsBody,
      }),
      z.strictObject({
        op: z.literal('update'),
        threshold_id: uuidSchema,
        base_version: versionSchema.meta({ description: 'The version the author saw; apply refuses if it moved.' }),
        threshold: patchThresholdBody.meta({
          description:
            'The fields that change; the others keep their stored values (the request holds the complete state).',
        }),
      }),
      z.strictObject({
        op: z.literal('delete'),
        threshold_id: uuidSchema,
        base_version: versionSchema,
      }),
    ],
    { error: "must be an item with op 'create', 'update' or 'delete'" },
  )
  .meta({ id: 'ChangeItem' });
export type ChangeItemBody = z.output<typeof itemSchema>;

export const changeItemsSchema = z
  .array(itemSchema, { error: 'must be an array of items' })
  .min(1, { error: 'must hold at least 1 item' })
  .max(MAX_ITEMS, { error: `must hold at most ${MAX_ITEMS} items` });

export const createChangeRequestBody = z
  .strictObject({
    title: text(1, 200),
    reason: text(10, 2000).meta({
      description: 'Why the bands change (regulators ask for the rationale): 10-2000 characters.',
    }),
    ticket: text(1, 200).nullable().optional(),
    items: changeItemsSchema,
  })
  .meta({ id: 'CreateChangeRequest' });
export type CreateChangeRequestBody = z.output<typeof createChangeRequestBody>;

export const patchChangeRequestBody = z
  .strictObject({
    title: text(1, 200).optional(),
    reason: text(10, 2000).optional(),
    ticket: text(1, 200).nullable().optional(),
    items: changeItemsSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { error: 'must contain at least one field to change' })
  .meta({ id: 'PatchChangeRequest', description: 'An edit: a new revision, which voids earlier approvals.' });
export type PatchChangeRequestBody = z.output<typeof patchChangeRequestBody>;

export const reviewBody = z
  .strictObject({
    decision: z.enum(DECISIONS, { error: "must be 'approve' or 'reject'" }),
    comment: text(1, 2000).nullable().optional(),
  })
  .meta({ id: 'ReviewRequest' });
export type ReviewBody = z.output<typeof reviewBody>;

export const applyBody = z
  .strictObject({
    emergency: z.boolean({ error: 'must be true or false' }).optional().meta({
      description: 'Admins only: apply without the approvals (recorded, counted, alerted; awaits review afterwards).',
    }),
  })
  .meta({ id: 'ApplyRequest' });
export type ApplyBody = z.output<typeof applyBody>;

export const restoreBody = z
  .strictObject({
    version: versionSchema.meta({ description: 'The version to bring back (see .../versions/{version}).' }),
    reason: text(10, 2000).meta({ description: 'Why: the reason of the change request this makes.' }),
  })
  .meta({ id: 'RestoreRequest' });
export type RestoreBody = z.output<typeof restoreBody>;

export const scheduleBody = z
  .strictObject({
    at: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 date-time' }).meta({
      description: 'When to apply it: after now, at most a year ahead.',
    }),
  })
  .meta({ id: 'ScheduleRequest' });
export type ScheduleBody = z.output<typeof scheduleBody>;

const limitQuery = pageLimitQuery(100);

export const listChangeRequestsQuery = z.object({
  state: z.enum(CHANGE_STATES, { error: `must be one of ${CHANGE_STATES.join(', ')}` }).optional(),
  created_by: z
    .string()
    .min(1)
    .max(255)
    .refine((v) => !v.includes('\u0000'), { error: 'must not contain NUL' })
    .optional()
    .meta({ description: 'Only requests written by this key name.' }),
  awaiting_review_by: z
    .literal('me', { error: "must be 'me'" })
    .optional()
    .meta({ description: 'me: only requests you may review now (not yours, not yet reviewed by you).' }),
  limit: limitQuery.default(20).meta({ description: 'Page size, 1-100 (default 20).' }),
  cursor: z.string().min(1).max(512).optional().meta({ description: 'The next_cursor of the previous page (opaque).' }),
});
export type ListChangeRequestsQuery = z.output<typeof listChangeRequestsQuery>;

// ---- responses ----

const itemResponse = z
  .object({
    op: z.enum(CHANGE_OPS),
    threshold_id: z.uuid(),
    base_version: z.number().int().nullable(),
    threshold: thresholdFieldsResponse.nullable(),
  })
  .strict();

const reviewResponse = z
  .object({
    reviewer: z.string(),
    decision: z.enum(DECISIONS),
    comment: z.string().nullable(),
    revision: z.number().int(),
    at: z.iso.datetime(),
  })
  .strict();

export const changeRequestResponse = z
  .object({
    id: z.uuid(),
    title: z.string(),
    reason: z.string(),
    ticket: z.string().nullable(),
    state: z.enum(CHANGE_STATES),
    revision: z.number().int().min(1),
    items: z.array(itemResponse),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    editors: z.array(z.string()).meta({ description: 'Everyone who wrote the request: none of them may review it.' }),
    submitted_at: z.iso.datetime().nullable(),
    scheduled_for: z.iso.datetime().nullable(),
    applied_at: z.iso.datetime().nullable(),
    applied_by: z.string().nullable(),
    reviews: z.array(reviewResponse),
    approvals: z
      .object({ required: z.number().int(), received: z.array(z.string()) })
      .strict()
      .meta({ description: 'Approvals needed (CHANGE_APPROVALS) and who approved the current revision.' }),
    emergency: z.boolean(),
    awaiting_review: z.boolean(),
    failure: z.string().nullable().meta({ description: 'Why the last apply conflicted or failed.' }),
    impact: impactResponse
      .extend({ revision: z.number().int().min(1), computed_at: z.iso.datetime() })
      .nullable()
      .meta({
        description:
          'The impact report of the revision under review, computed when it went to review over the last 30 days of observations: what its reviewers see. Null for a draft, after an edit until the new revision is in review, and when the items no longer applied to the thresholds in force. GET {id}/impact recomputes it.',
      }),
  })
  .strict()
  .meta({ id: 'ChangeRequest' });
export type ChangeRequestResponse = z.output<typeof changeRequestResponse>;

export const changeRequestListResponse = z
  .object({
    change_requests: z.array(changeRequestResponse),
    count: z.number().int(),
    next_cursor: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'ChangeRequestList' });
