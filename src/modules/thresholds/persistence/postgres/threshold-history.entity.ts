import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { HistoryAction, HistoryEntry } from '@app/modules/thresholds/domain/history';

/**
 * The `risk_threshold_history` table: one row per audited write, kept after the threshold is
 * deleted. The primary key (threshold_id, id) is also the index of a threshold's trail.
 */
@Entity({ name: 'risk_threshold_history' })
@Index('IDX_risk_threshold_history_at', ['at'])
@Check('CHK_risk_threshold_history_action', `action IN ('create', 'update', 'delete', 'import')`)
export class ThresholdHistoryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'PK_risk_threshold_history' })
  id!: string;

  @PrimaryColumn('uuid', { name: 'threshold_id', primaryKeyConstraintName: 'PK_risk_threshold_history' })
  thresholdId!: string;

  @Column('integer')
  version!: number;

  @Column('varchar', { length: 16 })
  action!: HistoryAction;

  @Column('varchar', { length: 255 })
  actor!: string;

  @Column('varchar', { name: 'request_id', length: 128, nullable: true })
  requestId!: string | null;

  @Column('uuid', { name: 'server_request_id', nullable: true })
  serverRequestId!: string | null;

  @Column('timestamptz')
  at!: Date;

  @Column('jsonb')
  changes!: HistoryEntry['changes'];

  /** The change request this write applied, if any (CONTRACT §7.2). */
  @Column('uuid', { name: 'change_request_id', nullable: true })
  changeRequestId!: string | null;

  /** Who approved that change request. */
  @Column('jsonb', { nullable: true })
  approvers!: string[] | null;
}
