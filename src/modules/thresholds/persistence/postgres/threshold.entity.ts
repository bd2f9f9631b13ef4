import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CATEGORIES, type Category, type Metadata, type RiskLevels } from '@app/modules/thresholds/domain/threshold';

const CATEGORY_CHECK = `category IN (${CATEGORIES.map((c) => `'${c}'`).join(', ')})`;

/** `risk_levels`: an object with exactly the four numeric keys, ascending within [0, 100]. */
export const RISK_LEVELS_CHECK = `jsonb_typeof(risk_levels) = 'object' AND (risk_levels - ARRAY['low', 'medium', 'high', 'critical']) = '{}'::jsonb AND CASE WHEN jsonb_typeof(risk_levels -> 'low') = 'number' AND jsonb_typeof(risk_levels -> 'medium') = 'number' AND jsonb_typeof(risk_levels -> 'high') = 'number' AND jsonb_typeof(risk_levels -> 'critical') = 'number' THEN (risk_levels ->> 'low')::numeric >= 0 AND (risk_levels ->> 'low')::numeric < (risk_levels ->> 'medium')::numeric AND (risk_levels ->> 'medium')::numeric < (risk_levels ->> 'high')::numeric AND (risk_levels ->> 'high')::numeric < (risk_levels ->> 'critical')::numeric AND (risk_levels ->> 'critical')::numeric <= 100 ELSE false END`;

/**
 * The `risk_thresholds` table. The schema is owned by the migrations in `src/migrations`;
 * this entity must describe it exactly (the drift check compares them).
 */
@Entity({ name: 'risk_thresholds' })
@Index('IDX_risk_thresholds_category_active', ['category', 'isActive'])
@Index('IDX_risk_thresholds_industry_code', ['industryCode'])
@Index('IDX_risk_thresholds_priority', ['priority'])
@Index('UQ_risk_thresholds_active_default', ['category'], { unique: true, where: 'is_default AND is_active' })
@Check('CHK_risk_thresholds_category', CATEGORY_CHECK)
@Check('CHK_risk_thresholds_industry_code', `industry_code ~ '^[A-Za-z0-9]{1,20}$'`)
@Check('CHK_risk_thresholds_priority', 'priority BETWEEN -1000000 AND 1000000')
@Check('CHK_risk_thresholds_risk_levels', RISK_LEVELS_CHECK)
@Check('CHK_risk_thresholds_version', 'version >= 1')
export class ThresholdEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_risk_thresholds' })
  id!: string;

  @Column('varchar', { length: 255 })
  name!: string;

  @Column('varchar', { length: 2000, nullable: true })
  description!: string | null;

  @Column('varchar', { length: 32 })
  category!: Category;

  @Column('varchar', { name: 'industry_code', length: 20, nullable: true })
  industryCode!: string | null;

  @Column('varchar', { name: 'business_type', length: 100, nullable: true })
  businessType!: string | null;

  @Column('jsonb', { name: 'risk_levels' })
  riskLevels!: RiskLevels;

  @Column('boolean', { name: 'is_default', default: false })
  isDefault!: boolean;

  @Column('boolean', { name: 'is_active', default: true })
  isActive!: boolean;

  @Column('integer', { default: 0 })
  priority!: number;

  @Column('jsonb', { nullable: true })
  metadata!: Metadata | null;

  @Column('integer', { default: 1 })
  version!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('varchar', { name: 'created_by', length: 255 })
  createdBy!: string;

  @Column('varchar', { name: 'last_modified_by', length: 255 })
  lastModifiedBy!: string;
}
