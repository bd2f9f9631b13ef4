import type { HistoryEntry } from '@app/modules/thresholds/domain/history';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';
import { ThresholdHistoryEntity } from '@app/modules/thresholds/persistence/postgres/threshold-history.entity';
import { ThresholdEntity } from '@app/modules/thresholds/persistence/postgres/threshold.entity';

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
    at: h.at,
    changes: h.changes,
  });
}

export function historyToDomain(e: ThresholdHistoryEntity): HistoryEntry {
  return {
    thresholdId: e.thresholdId,
    version: e.version,
    action: e.action,
    actor: e.actor,
    requestId: e.requestId,
    at: e.at,
    changes: e.changes,
  };
}
