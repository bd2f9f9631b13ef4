import { randomUUID } from 'node:crypto';
import type { Threshold, ThresholdFields } from '@app/modules/thresholds/domain/threshold';

let counter = 0;

/** Valid threshold fields; override what the test is about. */
export function aThresholdFields(overrides: Partial<ThresholdFields> = {}): ThresholdFields {
  counter += 1;
  return {
    name: `Threshold ${counter}`,
    description: null,
    category: 'strategic',
    industryCode: null,
    businessType: null,
    riskLevels: { low: 20, medium: 40, high: 60, critical: 80 },
    isDefault: false,
    isActive: true,
    priority: 0,
    metadata: null,
    ...overrides,
  };
}

/** A stored threshold; override what the test is about. */
export function aThreshold(overrides: Partial<Threshold> = {}): Threshold {
  const at = overrides.createdAt ?? new Date('2026-01-01T00:00:00.000Z');
  return {
    ...aThresholdFields(),
    id: randomUUID(),
    version: 1,
    createdAt: at,
    updatedAt: overrides.updatedAt ?? at,
    createdBy: 'test',
    lastModifiedBy: 'test',
    ...overrides,
  };
}

/** Valid wire (snake_case) body for creating a threshold. */
export function aCreateBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    name: `Threshold ${counter}`,
    category: 'strategic',
    risk_levels: { low: 20, medium: 40, high: 60, critical: 80 },
    ...overrides,
  };
}

/** The client fields of a threshold on the wire (what a write sets and a version holds). */
const WIRE_FIELDS = [
  'name',
  'description',
  'category',
  'industry_code',
  'business_type',
  'risk_levels',
  'is_default',
  'is_active',
  'priority',
  'metadata',
] as const;

/** A wire (snake_case) threshold's client fields only. */
export function wireFieldsOf(t: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(WIRE_FIELDS.map((f) => [f, t[f]]));
}
