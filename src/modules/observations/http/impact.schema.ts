/** The impact report's wire form (CONTRACT §8.3), shared by the impact endpoint and change requests. */
import { z } from 'zod';
import { LEVELS } from '@app/modules/thresholds/domain/threshold';
import { categorySchema } from '@app/modules/thresholds/domain/threshold.rules';

export const levelCounts = z
  .object(Object.fromEntries(LEVELS.map((l) => [l, z.int().min(0)])) as Record<(typeof LEVELS)[number], z.ZodInt>)
  .strict()
  .meta({ id: 'LevelCounts' });

export const impactResponse = z
  .object({
    from: z.string(),
    to: z.string(),
    observations: z.int().min(0),
    changed: z.int().min(0),
    changed_share: z.number().min(0).max(1),
    transitions: z.array(
      z
        .object({
          category: categorySchema,
          from_level: z.enum(LEVELS),
          to_level: z.enum(LEVELS),
          count: z.int().min(1),
        })
        .strict(),
    ),
    by_threshold: z.array(
      z
        .object({
          threshold_id: z.uuid().nullable().meta({ description: 'null: the built-in bands.' }),
          before: levelCounts,
          after: levelCounts,
        })
        .strict(),
    ),
    near_cutoffs: z.array(
      z
        .object({
          threshold_id: z.uuid(),
          level: z.enum(['low', 'medium', 'high', 'critical']),
          cutoff: z.number(),
          within_1_below: z.int().min(0),
          within_1_above: z.int().min(0),
        })
        .strict(),
    ),
  })
  .strict()
  .meta({
    id: 'Impact',
    description:
      'What a change would do to the cases observed in the window, exactly: every observed key classified under the thresholds in force and as the change would leave them.',
  });
export type ImpactResponse = z.output<typeof impactResponse>;
