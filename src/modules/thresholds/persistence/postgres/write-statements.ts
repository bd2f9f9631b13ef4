import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { IdempotencyKeyEntity } from '@app/modules/thresholds/persistence/postgres/idempotency-key.entity';
import { ThresholdHistoryEntity } from '@app/modules/thresholds/persistence/postgres/threshold-history.entity';
import { ThresholdEntity } from '@app/modules/thresholds/persistence/postgres/threshold.entity';

/** A named prepared statement: each pooled connection parses and plans it once. */
export interface Statement {
  name: string;
  text: string;
}

/** The columns of an entity as TypeORM maps them (generated ones left out): written once, in the entity. */
class Columns<T extends object> {
  private readonly columns: ColumnMetadata[];
  readonly table: string;

  constructor(dataSource: DataSource, target: new () => T) {
    const metadata = dataSource.getMetadata(target);
    this.table = metadata.tableName;
    this.columns = metadata.columns.filter((c) => !c.isGenerated);
    this.types = this.columns.map((c) => dataSource.driver.normalizeType(c));
  }

  private readonly types: string[];

  get count(): number {
    return this.columns.length;
  }

  names(): string {
    return this.columns.map((c) => `"${c.databaseName}"`).join(', ');
  }

  /** `$n::type` placeholders, numbered from `offset + 1`. */
  placeholders(offset: number): string {
    return this.types.map((type, i) => `$${offset + i + 1}::${type}`).join(', ');
  }

  assignments(offset: number): string {
    return this.columns.map((c, i) => `"${c.databaseName}" = $${offset + i + 1}`).join(', ');
  }

  /** Driver values in column order; jsonb as JSON text (the driver would turn a top-level array into a PG array). */
  values(entity: T): unknown[] {
    return this.columns.map((c) => {
      const value: unknown = (entity as Record<string, unknown>)[c.propertyName];
      return c.type === 'jsonb' && value !== null && value !== undefined ? JSON.stringify(value) : value;
    });
  }
}

/**
 * The single-threshold writes, each one statement that writes the row and, only if a row was
 * written, its history entry: atomic without a transaction, one round trip. Built once from the
 * entity metadata.
 */
export class WriteStatements {
  readonly thresholds: Columns<ThresholdEntity>;
  readonly history: Columns<ThresholdHistoryEntity>;
  readonly idempotency: Columns<IdempotencyKeyEntity>;
  readonly create: Statement;
  /** A create that also claims an `Idempotency-Key` (values: threshold, history, idempotency). */
  readonly createIdempotent: Statement;
  readonly update: Statement;
  readonly delete: Statement;

  constructor(dataSource: DataSource) {
    const t = (this.thresholds = new Columns(dataSource, ThresholdEntity));
    this.history = new Columns(dataSource, ThresholdHistoryEntity);
    const k = (this.idempotency = new Columns(dataSource, IdempotencyKeyEntity));
    const insert = `INSERT INTO "${t.table}" (${t.names()}) VALUES (${t.placeholders(0)})`;
    this.create = this.withHistory(insert, t.count);
    this.createIdempotent = this.withHistory(
      insert,
      t.count,
      `claimed AS (INSERT INTO "${k.table}" (${k.names()}) SELECT ${k.placeholders(t.count + this.history.count)} FROM written)`,
    );
    this.update = this.withHistory(
      `UPDATE "${t.table}" SET ${t.assignments(0)} WHERE "id" = $${t.count + 1} AND "version" = $${t.count + 2}`,
      t.count + 2,
    );
    this.delete = this.withHistory(`DELETE FROM "${t.table}" WHERE "id" = $1 AND "version" = $2`, 2);
  }

  private withHistory(write: string, params: number, alsoWith?: string): Statement {
    const h = this.history;
    const ctes = [`written AS (${write} RETURNING 1)`, ...(alsoWith ? [alsoWith] : [])].join(', ');
    const text = `WITH ${ctes} INSERT INTO "${h.table}" (${h.names()}) SELECT ${h.placeholders(params)} FROM written`;
    return { name: `rts_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text };
  }
}
