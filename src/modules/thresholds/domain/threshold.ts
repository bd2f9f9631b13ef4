/** The threshold resource and its vocabulary (CONTRACT §2). Pure TypeScript: no framework imports. */

export const CATEGORIES = [
  'financial',
  'operational',
  'regulatory',
  'reputational',
  'cybersecurity',
  'compliance',
  'strategic',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** The five levels a score can fall into, lowest first. */
export const LEVELS = ['minimal', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

/** The four bounds of `risk_levels`, in the order they must ascend. */
export const BOUND_KEYS = ['low', 'medium', 'high', 'critical'] as const;
export type BoundKey = (typeof BOUND_KEYS)[number];

/** Inclusive lower bound of each level above `minimal`. */
export type RiskLevels = Readonly<Record<BoundKey, number>>;

export type Metadata = Record<string, unknown>;

/** The fields a client may set. */
export interface ThresholdFields {
  name: string;
  description: string | null;
  category: Category;
  industryCode: string | null;
  businessType: string | null;
  riskLevels: RiskLevels;
  isDefault: boolean;
  isActive: boolean;
  priority: number;
  metadata: Metadata | null;
}

/** A stored threshold: the client's fields plus what the server keeps. */
export interface Threshold extends ThresholdFields {
  id: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string;
  lastModifiedBy: string;
}

/** A partial change: only the fields present change; `null` clears a nullable field. */
export type ThresholdChanges = Partial<ThresholdFields>;

export const FIELD_NAMES: readonly (keyof ThresholdFields)[] = [
  'name',
  'description',
  'category',
  'industryCode',
  'businessType',
  'riskLevels',
  'isDefault',
  'isActive',
  'priority',
  'metadata',
];

export const PRIORITY_MIN = -1_000_000;
export const PRIORITY_MAX = 1_000_000;
export const METADATA_MAX_BYTES = 16 * 1024;

/** The bands used when a category has no matching threshold and no default (CONTRACT §2.2). */
export const BUILTIN_RISK_LEVELS: RiskLevels = Object.freeze({ low: 25, medium: 50, high: 75, critical: 90 });

/** The actor recorded for seeds and migrations. */
export const SYSTEM_ACTOR = 'system';

/** A deep copy, so no caller can mutate what a store holds. */
export function cloneThreshold(t: Threshold): Threshold {
  return {
    ...t,
    riskLevels: { ...t.riskLevels },
    metadata: t.metadata === null ? null : structuredClone(t.metadata),
    createdAt: new Date(t.createdAt.getTime()),
    updatedAt: new Date(t.updatedAt.getTime()),
  };
}

/** Whether two thresholds hold the same client fields (server fields are ignored). */
export function sameFields(a: ThresholdFields, b: ThresholdFields): boolean {
  return FIELD_NAMES.every((f) => fieldEquals(a[f], b[f]));
}

export function fieldEquals(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : v,
  );
}

/** Applies a partial change to a threshold's fields (no validation: callers validate first). */
export function applyChanges(current: ThresholdFields, changes: ThresholdChanges): ThresholdFields {
  const next: ThresholdFields = { ...current };
  for (const field of FIELD_NAMES) {
    if (changes[field] !== undefined) {
      (next as unknown as Record<string, unknown>)[field] = changes[field];
    }
  }
  return next;
}

/** The fields of a threshold, without the server-kept ones. */
export function fieldsOf(t: ThresholdFields): ThresholdFields {
  return Object.fromEntries(FIELD_NAMES.map((f) => [f, t[f]])) as unknown as ThresholdFields;
}

/**
 * One canonical form for ids: lower case, as PostgreSQL prints a uuid. The store's uuid type
 * ignores case while the catalog's maps do not, so an id is made canonical wherever one enters
 * (the request schemas, and here for every new threshold whatever its source).
 */
export function canonicalId(id: string): string {
  return id.toLowerCase();
}

/** A new threshold at version 1, written by `actor` at `at`. */
export function newThreshold(fields: ThresholdFields, id: string, actor: string, at: Date): Threshold {
  return {
    ...fieldsOf(fields),
    id: canonicalId(id),
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: actor,
    lastModifiedBy: actor,
  };
}

/** The next version of `current` with `fields`, written by `actor` at `at`. */
export function nextVersion(current: Threshold, fields: ThresholdFields, actor: string, at: Date): Threshold {
  return { ...current, ...fields, version: current.version + 1, updatedAt: at, lastModifiedBy: actor };
}

/** A threshold as JSON (dates as ISO strings): the stored answer of an idempotent create, the warm-start file. */
export function thresholdToJson(t: Threshold): Record<string, unknown> {
  return { ...t, createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString() };
}

export function thresholdFromJson(json: Record<string, unknown>): Threshold {
  const t = json as unknown as Threshold & { createdAt: string; updatedAt: string };
  return { ...t, createdAt: new Date(t.createdAt), updatedAt: new Date(t.updatedAt) };
}
