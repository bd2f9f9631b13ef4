import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@app/modules/thresholds/domain/errors';
import {
  approvers,
  awaitingReview,
  type ChangeRequest,
  type ProposedItem,
} from '@app/modules/changes/domain/change-request';
import type { ChangePolicy } from '@app/modules/changes/domain/change-request';
import type { ChangeItemBody, ChangeRequestResponse } from '@app/modules/changes/http/change-request.schemas';
import { toImpactResponse } from '@app/modules/observations/http/impact.mapper';
import { fieldsFromBody, fromPatchBody, toFieldsResponse } from '@app/modules/thresholds/http/threshold.mapper';

/** Wire → domain: a create without an id gets one now, so every item names its threshold. */
export function fromItemBody(item: ChangeItemBody): ProposedItem {
  if (item.op === 'create') {
    return {
      op: 'create',
      thresholdId: item.threshold_id ?? randomUUID(),
      baseVersion: null,
      threshold: fieldsFromBody(item.threshold),
    };
  }
  if (item.op === 'update') {
    return {
      op: 'update',
      thresholdId: item.threshold_id,
      baseVersion: item.base_version,
      changes: fromPatchBody(item.threshold),
    };
  }
  return { op: 'delete', thresholdId: item.threshold_id, baseVersion: item.base_version, threshold: null };
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function toChangeRequestResponse(cr: ChangeRequest, policy: ChangePolicy): ChangeRequestResponse {
  return {
    id: cr.id,
    title: cr.title,
    reason: cr.reason,
    ticket: cr.ticket,
    state: cr.state,
    revision: cr.revision,
    items: cr.items.map((i) => ({
      op: i.op,
      threshold_id: i.thresholdId,
      base_version: i.baseVersion,
      threshold: i.threshold === null ? null : toFieldsResponse(i.threshold),
    })),
    created_by: cr.createdBy,
    created_at: cr.createdAt.toISOString(),
    updated_at: cr.updatedAt.toISOString(),
    editors: [...cr.editors],
    submitted_at: iso(cr.submittedAt),
    scheduled_for: iso(cr.scheduledFor),
    applied_at: iso(cr.appliedAt),
    applied_by: cr.appliedBy,
    reviews: cr.reviews.map((r) => ({
      reviewer: r.reviewer,
      decision: r.decision,
      comment: r.comment,
      revision: r.revision,
      at: r.at.toISOString(),
    })),
    approvals: { required: policy.approvals, received: approvers(cr) },
    emergency: cr.emergency,
    awaiting_review: awaitingReview(cr),
    failure: cr.failure,
    impact: cr.impact && {
      revision: cr.impact.revision,
      computed_at: cr.impact.computedAt.toISOString(),
      ...toImpactResponse(cr.impact.report, cr.impact),
    },
  };
}

/** An opaque cursor after a request in list order (newest first). */
export function encodeChangeCursor(cr: Pick<ChangeRequest, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([cr.createdAt.toISOString(), cr.id])).toString('base64url');
}

export function decodeChangeCursor(cursor: string): { createdAt: Date; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = z.tuple([z.iso.datetime(), z.uuid()]).safeParse(parsed);
  if (!result.success) {
    throw new ValidationError([
      { field: '/cursor', message: 'is not a cursor this service issued', code: 'invalid_cursor' },
    ]);
  }
  return { createdAt: new Date(result.data[0]), id: result.data[1] };
}
