import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The `idempotency_keys` table: the threshold a create with (actor, key) produced. */
@Entity({ name: 'idempotency_keys' })
@Index('IDX_idempotency_keys_created_at', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn('varchar', { length: 255, primaryKeyConstraintName: 'PK_idempotency_keys' })
  actor!: string;

  @PrimaryColumn('varchar', { length: 255, primaryKeyConstraintName: 'PK_idempotency_keys' })
  key!: string;

  @Column('varchar', { length: 64 })
  fingerprint!: string;

  @Column('jsonb')
  threshold!: Record<string, unknown>;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
