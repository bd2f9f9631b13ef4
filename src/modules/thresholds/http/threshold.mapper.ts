import type { Threshold, ThresholdChanges, ThresholdFields } from '@app/modules/thresholds/domain/threshold';
import type { HistoryEntry } from '@app/modules/thresholds/domain/history';
import type { ThresholdVersion } from '@app/modules/thresholds/domain/versions';
import type { ImportCandidate } from '@app/modules/thresholds/domain/import-plan';
import type { ThresholdFilter } from '@app/modules/thresholds/catalog/catalog-snapshot';
import type { NewThreshold } from '@app/modules/thresholds/domain/writes';
import type {
  AdminListQuery,
  HistoryEntryResponse,
  CreateThresholdBody,
  ImportItem,
  PatchThresholdBody,
  ThresholdFieldsBody,
  ThresholdResponse,
  ThresholdVersionResponse,
} from '@app/modules/thresholds/http/threshold.schemas';

/** Domain → wire. Every response body goes through here. */
export function toThresholdResponse(t: Threshold): ThresholdResponse {
  return {
    id: t.id,
    ...toFieldsResponse(t),
    version: t.version,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    created_by: t.createdBy,
    last_modified_by: t.lastModifiedBy,
  };
}

/** The client fields on the wire. */
export function toFieldsResponse(t: ThresholdFields): ThresholdVersionResponse['threshold'] {
  return {
    name: t.name,
    description: t.description,
    category: t.category,
    industry_code: t.industryCode,
    business_type: t.businessType,
    risk_levels: {
      low: t.riskLevels.low,
      medium: t.riskLevels.medium,
      high: t.riskLevels.high,
      critical: t.riskLevels.critical,
    },
    is_default: t.isDefault,
    is_active: t.isActive,
    priority: t.priority,
    metadata: t.metadata,
  };
}

export function toVersionResponse(v: ThresholdVersion): ThresholdVersionResponse {
  return {
    threshold_id: v.thresholdId,
    version: v.version,
    threshold: toFieldsResponse(v.fields),
    origin: v.origin,
    written_by: v.writtenBy,
    written_at: v.writtenAt?.toISOString() ?? null,
    request_id: v.requestId,
    superseded_at: v.supersededAt?.toISOString() ?? null,
    deleted: v.deleted,
  };
}

/** The client fields of a body, optional ones at their defaults. */
export function fieldsFromBody(body: CreateThresholdBody | ImportItem | ThresholdFieldsBody): ThresholdFields {
  return {
    name: body.name,
    description: body.description ?? null,
    category: body.category,
    industryCode: body.industry_code ?? null,
    businessType: body.business_type ?? null,
    riskLevels: body.risk_levels,
    isDefault: body.is_default ?? false,
    isActive: body.is_active ?? true,
    priority: body.priority ?? 0,
    metadata: body.metadata ?? null,
  };
}

export function fromCreateBody(body: CreateThresholdBody): NewThreshold {
  return { ...fieldsFromBody(body), ...(body.id ? { id: body.id } : {}) };
}

/** An import item's fields, with the server fields it carries (absent ones stay undefined). */
export function fromImportItem(item: ImportItem): Omit<ImportCandidate, 'pointer'> {
  return {
    id: item.id,
    fields: fieldsFromBody(item),
    version: item.version,
    createdAt: item.created_at ? new Date(item.created_at) : undefined,
    updatedAt: item.updated_at ? new Date(item.updated_at) : undefined,
    createdBy: item.created_by,
    lastModifiedBy: item.last_modified_by,
  };
}

/** Only the fields present in the body; `null` stays `null` (clears). */
export function fromPatchBody(body: PatchThresholdBody): ThresholdChanges {
  const changes: ThresholdChanges = {};
  if (body.name !== undefined) changes.name = body.name;
  if (body.description !== undefined) changes.description = body.description;
  if (body.category !== undefined) changes.category = body.category;
  if (body.industry_code !== undefined) changes.industryCode = body.industry_code;
  if (body.business_type !== undefined) changes.businessType = body.business_type;
  if (body.risk_levels !== undefined) changes.riskLevels = body.risk_levels;
  if (body.is_default !== undefined) changes.isDefault = body.is_default;
  if (body.is_active !== undefined) changes.isActive = body.is_active;
  if (body.priority !== undefined) changes.priority = body.priority;
  if (body.metadata !== undefined) changes.metadata = body.metadata;
  return changes;
}

/** The store filter of a list query; the public list passes `isActive: true`. */
export function filterFromQuery(query: AdminListQuery): ThresholdFilter {
  return {
    category: query.category,
    industryCode: query.industry_code,
    businessType: query.business_type,
    isActive: query.is_active,
  };
}

/** Wire (snake_case) name of each client field. */
const WIRE_NAMES: Record<keyof ThresholdFields, string> = {
  name: 'name',
  description: 'description',
  category: 'category',
  industryCode: 'industry_code',
  businessType: 'business_type',
  riskLevels: 'risk_levels',
  isDefault: 'is_default',
  isActive: 'is_active',
  priority: 'priority',
  metadata: 'metadata',
};

export function toHistoryResponse(entry: HistoryEntry): HistoryEntryResponse {
  return {
    version: entry.version,
    action: entry.action,
    actor: entry.actor,
    at: entry.at.toISOString(),
    request_id: entry.requestId,
    server_request_id: entry.serverRequestId,
    change_request_id: entry.changeRequestId,
    approvers: entry.approvers,
    changes: Object.fromEntries(
      Object.entries(entry.changes).map(([field, change]) => [WIRE_NAMES[field as keyof ThresholdFields], change]),
    ),
  };
}
