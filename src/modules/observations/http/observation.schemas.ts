/** Request and response schemas of score distribution and impact analysis (CONTRACT §8.2-8.3). */
import { z } from 'zod';
import { changeItemsSchema } from '@app/modules/changes/http/change-request.schemas';
import { levelCounts } from '@app/modules/observations/http/impact.schema';
export { impactResponse } from '@app/modules/observations/http/impact.schema';
import { businessTypeSchema, categorySchema, industryCodeSchema } from '@app/modules/thresholds/domain/threshold.rules';

/** No observation is older than this; earlier days are refused (and a derived `from` starts here). */
const FIRST_DAY = '1970-01-01';
const dayError = `must be a date from ${FIRST_DAY}, YYYY-MM-DD`;
/** Whether `d` (YYYY-MM-DD) names a real day (not 2026-02-30, not month 13). */
const isDay = (d: string): boolean => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return d >= FIRST_DAY && !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
};
const daySchema = z
  .string({ error: dayError })
  // abort: one error for a malformed day, not two.
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: dayError, abort: true })
  .refine(isDay, { error: dayError })
  .meta({ description: 'A UTC day (YYYY-MM-DD), inclusive.', example: '2026-11-01' });

const windowFields = {
  from: daySchema.optional().meta({ description: 'First UTC day, inclusive (default: 29 days before `to`).' }),
  to: daySchema.optional().meta({ description: 'Last UTC day, inclusive (default: today).' }),
};

const binWidthError = 'must be a number from 0.01 to 25 with at most 2 decimals';
export const distributionQuery = z.strictObject({
  category: categorySchema.optional(),
  industry_code: industryCodeSchema
    .optional()
    .meta({ description: 'Observations whose industry code starts with this (as matching compares codes).' }),
  business_type: businessTypeSchema.optional(),
  ...windowFields,
  bin_width: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?$/, { error: binWidthError })
    .transform((v) => Math.round(Number(v) * 100))
    .pipe(z.int().min(1, { error: binWidthError }).max(2500, { error: binWidthError }))
    .optional()
    .meta({ description: 'Width of a histogram bin in score points, 0.01-25 (default 1).' }),
});
export type DistributionQuery = z.output<typeof distributionQuery>;

export const impactWindowQuery = z.strictObject(windowFields);
export type ImpactWindowQuery = z.output<typeof impactWindowQuery>;

export const impactBody = z.strictObject({ items: changeItemsSchema, ...windowFields }).meta({
  id: 'ImpactRequest',
  description: 'Items as in a change request, and the window of observations to weigh them on.',
});
export type ImpactBody = z.output<typeof impactBody>;

export const distributionResponse = z
  .object({
    from: z.string(),
    to: z.string(),
    total: z.int().min(0),
    bin_width: z.number(),
    bins: z.array(z.object({ lower: z.number(), count: z.int().min(1) }).strict()).meta({
      description: 'Bins that hold observations, lowest first: [lower, lower + bin_width).',
    }),
    levels: levelCounts.meta({ description: 'The observations by level under the thresholds in force now.' }),
  })
  .strict()
  .meta({ id: 'ScoreDistribution' });
