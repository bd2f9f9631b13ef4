import { In, type DataSource, type EntityManager } from 'typeorm';
import type { ChangeItem, ChangeRequest, ChangeState, Review } from '@app/modules/changes/domain/change-request';
import {
  ChangeRequestMoved,
  ChangeRequestRepository,
  type ChangeRequestFilter,
  type ChangeRequestPosition,
  type StoredChangeRequest,
} from '@app/modules/changes/persistence/change-request.repository';
import {
  ChangeRequestEntity,
  ChangeRequestItemEntity,
  ChangeRequestReviewEntity,
} from '@app/modules/changes/persistence/postgres/change-request.entities';
import type { ThresholdFields } from '@app/modules/thresholds/domain/threshold';
import type { StoreTransaction } from '@app/modules/thresholds/persistence/threshold.repository';

/**
 * PostgreSQL adapter. A save is one transaction: the row's `UPDATE ... WHERE row_version = $n`
 * decides who wins; items are rewritten only when the revision changed; reviews are appended.
 */
export class PostgresChangeRequestRepository extends ChangeRequestRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async insert(request: ChangeRequest): Promise<StoredChangeRequest> {
    await this.dataSource.transaction(async (m) => {
      await m.insert(ChangeRequestEntity, { ...toEntity(request), rowVersion: 1, claimedUntil: null });
      await insertItems(m, request);
      await insertReviews(m, request, 0);
    });
    return { request, rowVersion: 1 };
  }

  async findById(id: string): Promise<StoredChangeRequest | null> {
    const row = await this.dataSource.getRepository(ChangeRequestEntity).findOneBy({ id });
    return row ? (await this.hydrate(this.dataSource.manager, [row]))[0] : null;
  }

  async list(
    filter: ChangeRequestFilter,
    limit: number,
    after?: ChangeRequestPosition,
  ): Promise<StoredChangeRequest[]> {
    const q = this.dataSource.getRepository(ChangeRequestEntity).createQueryBuilder('cr');
    if (filter.state !== undefined) q.andWhere('cr.state = :state', { state: filter.state });
    if (filter.createdBy !== undefined) q.andWhere('cr.created_by = :createdBy', { createdBy: filter.createdBy });
    if (filter.awaitingReviewBy !== undefined) {
      q.andWhere(
        `(cr.state = 'in_review' OR (cr.state = 'applied' AND cr.emergency AND NOT EXISTS (
           SELECT 1 FROM change_request_reviews r
            WHERE r.change_request_id = cr.id AND r.at >= cr.applied_at)))`,
      )
        .andWhere('NOT (cr.editors ? :me)', { me: filter.awaitingReviewBy })
        .andWhere(
          `NOT EXISTS (SELECT 1 FROM change_request_reviews r
             WHERE r.change_request_id = cr.id AND r.reviewer = :me AND r.revision = cr.revision)`,
          { me: filter.awaitingReviewBy },
        );
    }
    if (after) q.andWhere('(cr.created_at, cr.id) < (:at, :id)', { at: after.createdAt, id: after.id });
    const rows = await q.orderBy('cr.created_at', 'DESC').addOrderBy('cr.id', 'DESC').limit(limit).getMany();
    return this.hydrate(this.dataSource.manager, rows);
  }

  async save(next: ChangeRequest, expected: number, tx?: StoreTransaction): Promise<number | null> {
    const work = async (m: EntityManager): Promise<number | null> => {
      const [previous] = await m.query<{ revision: number; reviews: string }[]>(
        `SELECT revision, (SELECT count(*) FROM change_request_reviews r WHERE r.change_request_id = cr.id) AS reviews
           FROM change_requests cr WHERE id = $1 AND row_version = $2 FOR UPDATE`,
        [next.id, expected],
      );
      if (!previous) return null;
      await m.update(
        ChangeRequestEntity,
        { id: next.id, rowVersion: expected },
        {
          ...toEntity(next),
          rowVersion: expected + 1,
        },
      );
      if (previous.revision !== next.revision) {
        await m.delete(ChangeRequestItemEntity, { changeRequestId: next.id });
        await insertItems(m, next);
      }
      await insertReviews(m, next, Number(previous.reviews));
      return expected + 1;
    };
    if (tx) {
      const saved = await work(tx.handle as EntityManager);
      if (saved === null) throw new ChangeRequestMoved(next.id);
      return saved;
    }
    return this.dataSource.transaction(work);
  }

  async countByState(): Promise<Partial<Record<ChangeState, number>>> {
    const rows = await this.dataSource.query<{ state: ChangeState; n: string }[]>(
      'SELECT state, count(*) AS n FROM change_requests GROUP BY state',
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  async due(now: Date, limit: number): Promise<StoredChangeRequest[]> {
    const rows = await this.dataSource
      .getRepository(ChangeRequestEntity)
      .createQueryBuilder('cr')
      .where(`cr.state = 'scheduled' AND cr.scheduled_for <= :now`, { now })
      .andWhere('(cr.claimed_until IS NULL OR cr.claimed_until <= :now)', { now })
      .orderBy('cr.scheduled_for', 'ASC')
      .limit(limit)
      .getMany();
    return this.hydrate(this.dataSource.manager, rows);
  }

  async claim(id: string, expected: number, until: Date): Promise<number | null> {
    const result = await this.dataSource
      .getRepository(ChangeRequestEntity)
      .update({ id, rowVersion: expected }, { claimedUntil: until, rowVersion: expected + 1 });
    return result.affected === 1 ? expected + 1 : null;
  }

  /** Rows with their items and reviews, two queries for any number of requests. */
  private async hydrate(m: EntityManager, rows: ChangeRequestEntity[]): Promise<StoredChangeRequest[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [items, reviews] = await Promise.all([
      m.find(ChangeRequestItemEntity, { where: { changeRequestId: In(ids) }, order: { position: 'ASC' } }),
      m.find(ChangeRequestReviewEntity, { where: { changeRequestId: In(ids) }, order: { id: 'ASC' } }),
    ]);
    return rows.map((row) => ({
      rowVersion: row.rowVersion,
      request: {
        id: row.id,
        title: row.title,
        reason: row.reason,
        ticket: row.ticket,
        state: row.state,
        revision: row.revision,
        items: items.filter((i) => i.changeRequestId === row.id).map(itemToDomain),
        createdBy: row.createdBy,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
        editors: row.editors,
        submittedAt: row.submittedAt,
        scheduledFor: row.scheduledFor,
        appliedAt: row.appliedAt,
        appliedBy: row.appliedBy,
        reviews: reviews.filter((r) => r.changeRequestId === row.id).map(reviewToDomain),
        emergency: row.emergency,
        failure: row.failure,
        impact: row.impact && { ...row.impact, computedAt: new Date(row.impact.computedAt) },
      },
    }));
  }
}

function toEntity(r: ChangeRequest): Omit<ChangeRequestEntity, 'rowVersion' | 'claimedUntil'> {
  return {
    id: r.id,
    title: r.title,
    reason: r.reason,
    ticket: r.ticket,
    state: r.state,
    revision: r.revision,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    editors: r.editors,
    submittedAt: r.submittedAt,
    scheduledFor: r.scheduledFor,
    appliedAt: r.appliedAt,
    appliedBy: r.appliedBy,
    emergency: r.emergency,
    failure: r.failure,
    impact: r.impact && { ...r.impact, computedAt: r.impact.computedAt.toISOString() },
  };
}

async function insertItems(m: EntityManager, r: ChangeRequest): Promise<void> {
  const rows = r.items.map((item, position) => ({
    changeRequestId: r.id,
    position,
    op: item.op,
    thresholdId: item.thresholdId,
    baseVersion: item.baseVersion,
    // jsonb as text: the driver would send a top-level object fine, but keep one encoding.
    threshold: item.threshold as unknown as Record<string, unknown> | null,
  }));
  // In chunks: 1000 items x 6 parameters stays far below PostgreSQL's 65,535 bind parameters.
  for (let i = 0; i < rows.length; i += 1000) await m.insert(ChangeRequestItemEntity, rows.slice(i, i + 1000) as never);
}

async function insertReviews(m: EntityManager, r: ChangeRequest, from: number): Promise<void> {
  const fresh = r.reviews.slice(from);
  if (fresh.length === 0) return;
  await m.insert(
    ChangeRequestReviewEntity,
    fresh.map((review) => ({ changeRequestId: r.id, ...review })),
  );
}

function itemToDomain(e: ChangeRequestItemEntity): ChangeItem {
  return {
    op: e.op,
    thresholdId: e.thresholdId,
    baseVersion: e.baseVersion,
    threshold: e.threshold as unknown as ThresholdFields | null,
  };
}

function reviewToDomain(e: ChangeRequestReviewEntity): Review {
  return { reviewer: e.reviewer, decision: e.decision, comment: e.comment, revision: e.revision, at: e.at };
}
