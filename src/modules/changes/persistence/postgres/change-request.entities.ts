import type { FrozenImpact } from '@app/modules/changes/domain/change-request';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ChangeOp, ChangeState, Decision } from '@app/modules/changes/domain/change-request';

/** The `change_requests` table: one row per request; items and reviews in their own tables. */
@Entity({ name: 'change_requests' })
@Index('IDX_change_requests_created', ['createdAt', 'id'])
@Index('IDX_change_requests_due', ['scheduledFor'], { where: `state = 'scheduled'` })
@Check(
  'CHK_change_requests_state',
  `state IN ('draft', 'in_review', 'approved', 'scheduled', 'applied', 'rejected', 'cancelled', 'conflicted', 'failed')`,
)
export class ChangeRequestEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_change_requests' })
  id!: string;

  @Column('varchar', { length: 200 })
  title!: string;

  @Column('varchar', { length: 2000 })
  reason!: string;

  @Column('varchar', { length: 200, nullable: true })
  ticket!: string | null;

  @Column('varchar', { length: 16 })
  state!: ChangeState;

  @Column('integer')
  revision!: number;

  /** +1 on every save: the optimistic lock of every transition. */
  @Column('integer', { name: 'row_version' })
  rowVersion!: number;

  @Column('varchar', { name: 'created_by', length: 255 })
  createdBy!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('jsonb')
  editors!: string[];

  @Column('timestamptz', { name: 'submitted_at', nullable: true })
  submittedAt!: Date | null;

  @Column('timestamptz', { name: 'scheduled_for', nullable: true })
  scheduledFor!: Date | null;

  @Column('timestamptz', { name: 'applied_at', nullable: true })
  appliedAt!: Date | null;

  @Column('varchar', { name: 'applied_by', length: 255, nullable: true })
  appliedBy!: string | null;

  @Column('boolean', { default: false })
  emergency!: boolean;

  @Column('varchar', { length: 2000, nullable: true })
  failure!: string | null;

  /** The impact report frozen when the revision under review was sent to review (JSON as the domain holds it). */
  @Column('jsonb', { nullable: true })
  impact!: StoredImpact | null;

  /** A scheduler's claim: until then, no other replica applies this request. */
  @Column('timestamptz', { name: 'claimed_until', nullable: true })
  claimedUntil!: Date | null;
}

@Entity({ name: 'change_request_items' })
@Check('CHK_change_request_items_op', `op IN ('create', 'update', 'delete')`)
export class ChangeRequestItemEntity {
  @PrimaryColumn('uuid', { name: 'change_request_id', primaryKeyConstraintName: 'PK_change_request_items' })
  changeRequestId!: string;

  @PrimaryColumn('integer', { primaryKeyConstraintName: 'PK_change_request_items' })
  position!: number;

  @Column('varchar', { length: 8 })
  op!: ChangeOp;

  @Column('uuid', { name: 'threshold_id' })
  thresholdId!: string;

  @Column('integer', { name: 'base_version', nullable: true })
  baseVersion!: number | null;

  @Column('jsonb', { nullable: true })
  threshold!: Record<string, unknown> | null;

  @ManyToOne(() => ChangeRequestEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'change_request_id', foreignKeyConstraintName: 'FK_change_request_items_request' })
  request?: ChangeRequestEntity;
}

@Entity({ name: 'change_request_reviews' })
@Check('CHK_change_request_reviews_decision', `decision IN ('approve', 'reject')`)
export class ChangeRequestReviewEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'PK_change_request_reviews' })
  id!: string;

  @PrimaryColumn('uuid', { name: 'change_request_id', primaryKeyConstraintName: 'PK_change_request_reviews' })
  changeRequestId!: string;

  @Column('varchar', { length: 255 })
  reviewer!: string;

  @Column('varchar', { length: 8 })
  decision!: Decision;

  @Column('varchar', { length: 2000, nullable: true })
  comment!: string | null;

  @Column('integer')
  revision!: number;

  @Column('timestamptz')
  at!: Date;

  @ManyToOne(() => ChangeRequestEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'change_request_id', foreignKeyConstraintName: 'FK_change_request_reviews_request' })
  request?: ChangeRequestEntity;
}

/** A frozen impact report as stored: the domain's, with its instant as an ISO string. */
export type StoredImpact = Omit<FrozenImpact, 'computedAt'> & { computedAt: string };
