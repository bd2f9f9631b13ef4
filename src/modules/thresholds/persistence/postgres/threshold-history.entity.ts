import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { HistoryAction, HistoryEntry } from '@app/modules/thresholds/domain/history';

/** The `risk_threshold_history` table: one row per audited write, kept after the threshold is deleted. */
@Entity({ name: 'risk_threshold_history' })
@Index('IDX_risk_threshold_history_threshold', ['thresholdId', 'id'])
@Check('CHK_risk_threshold_history_action', `action IN ('create', 'update', 'delete', 'import')`)
export class ThresholdHistoryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'PK_risk_threshold_history' })
  id!: string;

  @Column('uuid', { name: 'threshold_id' })
  thresholdId!: string;

  @Column('integer')
  version!: number;

  @Column('varchar', { length: 16 })
  action!: HistoryAction;

  @Column('varchar', { length: 255 })
  actor!: string;

  @Column('varchar', { name: 'request_id', length: 128, nullable: true })
  requestId!: string | null;

  @Column('timestamptz')
  at!: Date;

  @Column('jsonb')
  changes!: HistoryEntry['changes'];
}
