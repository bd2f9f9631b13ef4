import type { HistoryEntry } from '@app/modules/thresholds/domain/history';
import type { Category, RiskLevels, Threshold } from '@app/modules/thresholds/domain/threshold';
import { ThresholdHistoryEntity } from '@app/modules/thresholds/persistence/postgres/threshold-history.entity';
import { ThresholdEntity } from '@app/modules/thresholds/persistence/postgres/threshold.entity';

/** A `risk_thresholds` row as the driver returns it (jsonb parsed, timestamptz as Date). */
export interface ThresholdRow {
  id: string;
  name: string;
  description: string | null;
  category: Category;
  industry_code: string | null;
  business_type: string | null;
  risk_levels: RiskLevels;
  is_default: boolean;
  is_active: boolean;
  priority: number;
  metadata: Record<string, unknown> | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  created_by: string;
  last_modified_by: string;
}

/**
 * Shares equal values across the rows of one load: the few categories, codes, business types,
 * actors and sets of bands repeat across thousands of thresholds, and the driver makes a new
 * string or object for each row. (Stored thresholds are never mutated, so sharing is safe.)
 */
export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly levels = new Map<string, RiskLevels>();

  string<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    this.strings.set(value, value);
    return value;
  }

  riskLevels(value: RiskLevels): RiskLevels {
    const key = `${value.low}/${value.medium}/${value.high}/${value.critical}`;
    let known = this.levels.get(key);
    if (!known) {
      known = { low: value.low, medium: value.medium, high: value.high, critical: value.critical };
      this.levels.set(key, known);
    }
    return known;
  }
}

/** Row → domain, for full loads (no entity hydration). */
export function rowToDomain(r: ThresholdRow, intern: Interner): Threshold {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    category: intern.string(r.category),
    industryCode: intern.string(r.industry_code),
    businessType: intern.string(r.business_type),
    riskLevels: intern.riskLevels(r.risk_levels),
    isDefault: r.is_default,
    isActive: r.is_active,
    priority: r.priority,
    metadata: r.metadata,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdBy: intern.string(r.created_by),
    lastModifiedBy: intern.string(r.last_modified_by),
  };
}

/** Entity ↔ domain, both ways; the only place that knows both shapes. */
export function toDomain(e: ThresholdEntity): Threshold {
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    category: e.category,
    industryCode: e.industryCode,
    businessType: e.businessType,
    riskLevels: {
      low: e.riskLevels.low,
      medium: e.riskLevels.medium,
      high: e.riskLevels.high,
      critical: e.riskLevels.critical,
    },
    isDefault: e.isDefault,
    isActive: e.isActive,
    priority: e.priority,
    metadata: e.metadata,
    version: e.version,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    createdBy: e.createdBy,
    lastModifiedBy: e.lastModifiedBy,
  };
}

export function toEntity(t: Threshold): ThresholdEntity {
  return Object.assign(new ThresholdEntity(), {
    id: t.id,
    name: t.name,
    description: t.description,
    category: t.category,
    industryCode: t.industryCode,
    businessType: t.businessType,
    riskLevels: { ...t.riskLevels },
    isDefault: t.isDefault,
    isActive: t.isActive,
    priority: t.priority,
    metadata: t.metadata,
    version: t.version,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    createdBy: t.createdBy,
    lastModifiedBy: t.lastModifiedBy,
  });
}

export function toHistoryEntity(h: HistoryEntry): ThresholdHistoryEntity {
  return Object.assign(new ThresholdHistoryEntity(), {
    thresholdId: h.thresholdId,
    version: h.version,
    action: h.action,
    actor: h.actor,
    requestId: h.requestId,
    serverRequestId: h.serverRequestId,
    at: h.at,
    changes: h.changes,
    changeRequestId: h.changeRequestId,
    approvers: h.approvers,
  });
}

/** A history row as the driver answers it (snake_case columns, no entity hydration). */
export interface HistoryRow {
  threshold_id: string;
  version: number;
  action: HistoryEntry['action'];
  actor: string;
  request_id: string | null;
  server_request_id: string | null;
  at: Date;
  changes: HistoryEntry['changes'];
  change_request_id: string | null;
  approvers: string[] | null;
}

export function historyRowToDomain(r: HistoryRow): HistoryEntry {
  return {
    thresholdId: r.threshold_id,
    version: r.version,
    action: r.action,
    actor: r.actor,
    requestId: r.request_id,
    serverRequestId: r.server_request_id,
    at: r.at,
    changes: r.changes,
    changeRequestId: r.change_request_id,
    approvers: r.approvers,
  };
}

export function historyToDomain(e: ThresholdHistoryEntity): HistoryEntry {
  return {
    thresholdId: e.thresholdId,
    version: e.version,
    action: e.action,
    actor: e.actor,
    requestId: e.requestId,
    serverRequestId: e.serverRequestId,
    at: e.at,
    changes: e.changes,
    changeRequestId: e.changeRequestId,
    approvers: e.approvers,
  };
}
