import { randomUUID } from 'node:crypto';
import {
  In,
  LessThan,
  QueryFailedError,
  type DataSource,
  type EntityManager,
  type QueryDeepPartialEntity,
} from 'typeorm';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '@app/modules/thresholds/domain/errors';
import { continuing, historyEntry, importAction, type HistoryEntry } from '@app/modules/thresholds/domain/history';
import { defaultConflictError, duplicateIdError } from '@app/modules/thresholds/domain/invariants';
import {
  applyChanges,
  newThreshold,
  nextVersion,
  thresholdFromJson,
  thresholdToJson,
  sameFields,
  type Category,
  type Threshold,
  type ThresholdChanges,
} from '@app/modules/thresholds/domain/threshold';
import { ThresholdHistoryEntity } from '@app/modules/thresholds/persistence/postgres/threshold-history.entity';
import { ThresholdEntity } from '@app/modules/thresholds/persistence/postgres/threshold.entity';
import { IdempotencyKeyEntity } from '@app/modules/thresholds/persistence/postgres/idempotency-key.entity';
import {
  historyRowToDomain,
  historyToDomain,
  type HistoryRow,
  Interner,
  rowToDomain,
  toDomain,
  toEntity,
  toHistoryEntity,
  type ThresholdRow,
} from '@app/modules/thresholds/persistence/postgres/threshold.mapper';
import { WriteStatements, type Statement } from '@app/modules/thresholds/persistence/postgres/write-statements';
import {
  IDEMPOTENCY_TTL_MS,
  IdempotencyKeyTaken,
  ThresholdRepository,
  type IdempotentCreate,
  type ImportPlan,
  type StoreTransaction,
} from '@app/modules/thresholds/persistence/threshold.repository';
import type {
  ConditionalWrite,
  IdempotencyClaim,
  NewThreshold,
  WriteContext,
} from '@app/modules/thresholds/domain/writes';

const PK = 'PK_risk_thresholds';
const IDEMPOTENCY_PK = 'PK_idempotency_keys';
const ACTIVE_DEFAULT = 'UQ_risk_thresholds_active_default';
/** Attempts of an unconditional update that keeps losing a race before giving up with 409. */
const UNCONDITIONAL_ATTEMPTS = 5;
/** Rows per query of a full load. */
const LOAD_PAGE = 10_000;

/**
 * PostgreSQL adapter. Each write and its history row commit in one transaction. Version
 * checks are part of the `UPDATE ... WHERE version = $n` / `DELETE ... WHERE version = $n`
 * statements themselves, so two writers holding the same version cannot both win. Unique
 * violations become the domain's `ConflictError`; driver messages never leave this class.
 */
export class PostgresThresholdRepository extends ThresholdRepository {
  private built: WriteStatements | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  /** Built on first use: entity metadata exists only once the DataSource has connected. */
  private get statements(): WriteStatements {
    return (this.built ??= new WriteStatements(this.dataSource));
  }

  /** Every threshold, read in one REPEATABLE READ transaction (a consistent snapshot). */
  async findAll(): Promise<Threshold[]> {
    return this.dataSource.transaction('REPEATABLE READ', (manager) => loadAll(manager));
  }

  async findById(id: string): Promise<Threshold | null> {
    const row = await this.dataSource.getRepository(ThresholdEntity).findOneBy({ id });
    return row ? toDomain(row) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Threshold[]> {
    if (ids.length === 0) return [];
    const rows = await this.dataSource.getRepository(ThresholdEntity).findBy({ id: In([...ids]) });
    return rows.map(toDomain);
  }

  async create(input: NewThreshold, ctx: WriteContext, idempotency?: IdempotencyClaim): Promise<Threshold> {
    const now = this.clock();
    // A client-given id may have been used before (deleted since): its versions continue.
    const last =
      input.id === undefined ? 0 : ((await lastVersions(this.dataSource.manager, [input.id])).get(input.id) ?? 0);
    const created = continuing(newThreshold(input, input.id ?? randomUUID(), ctx.actor, now), last);
    const values = this.statements.thresholds.values(toEntity(created));
    const entry = historyEntry('create', null, created, ctx, now);
    if (!idempotency) {
      // One statement: the row and its history entry commit together, in one round trip.
      await this.write(created.category, created.id, () => this.run(this.statements.create, values, entry));
      return created;
    }
    // An expired claim of the same key no longer counts.
    await this.dataSource.query(
      `DELETE FROM "idempotency_keys" WHERE "actor" = $1 AND "key" = $2 AND "created_at" < $3`,
      [ctx.actor, idempotency.key, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)],
    );
    const claim = Object.assign(new IdempotencyKeyEntity(), {
      actor: ctx.actor,
      key: idempotency.key,
      fingerprint: idempotency.fingerprint,
      threshold: thresholdToJson(created),
      createdAt: now,
    });
    await this.write(created.category, created.id, () =>
      this.run(this.statements.createIdempotent, values, entry, this.statements.idempotency.values(claim)),
    );
    return created;
  }

  async findIdempotentCreate(actor: string, key: string): Promise<IdempotentCreate | null> {
    const row = await this.dataSource.getRepository(IdempotencyKeyEntity).findOneBy({ actor, key });
    if (!row || this.clock().getTime() - row.createdAt.getTime() >= IDEMPOTENCY_TTL_MS) return null;
    return { fingerprint: row.fingerprint, threshold: thresholdFromJson(row.threshold) };
  }

  async forgetIdempotencyKeys(before: Date): Promise<number> {
    const result = await this.dataSource.getRepository(IdempotencyKeyEntity).delete({ createdAt: LessThan(before) });
    return result.affected ?? 0;
  }

  async update(id: string, changes: ThresholdChanges, ctx: ConditionalWrite): Promise<Threshold> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.findById(id);
      if (!current) throw new NotFoundError('Threshold', id);
      if (ctx.expectedVersion !== undefined && ctx.expectedVersion !== current.version) {
        throw new PreconditionFailedError(id, current.version);
      }
      const fields = applyChanges(current, changes);
      if (sameFields(fields, current)) return current;
      const next = nextVersion(current, fields, ctx.actor, this.clock());
      // The version check is part of the UPDATE itself: of two writers that read the same
      // version, only one matches `version = $n`.
      const won = await this.write(next.category, id, () =>
        this.run(
          this.statements.update,
          [...this.statements.thresholds.values(toEntity(next)), id, current.version],
          historyEntry('update', current, next, ctx, next.updatedAt),
        ),
      );
      if (won) return next;
      // Another writer moved the version between our read and our UPDATE.
      const moved = await this.findById(id);
      if (!moved) throw new NotFoundError('Threshold', id);
      if (ctx.expectedVersion !== undefined) throw new PreconditionFailedError(id, moved.version);
      if (attempt >= UNCONDITIONAL_ATTEMPTS) {
        throw new ConflictError(`Threshold ${id} is being changed concurrently; retry.`);
      }
    }
  }

  async delete(id: string, ctx: ConditionalWrite): Promise<Threshold> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.findById(id);
      if (!current) throw new NotFoundError('Threshold', id);
      if (ctx.expectedVersion !== undefined && ctx.expectedVersion !== current.version) {
        throw new PreconditionFailedError(id, current.version);
      }
      // As for updates, the version check is part of the DELETE itself.
      const deleted = await this.run(
        this.statements.delete,
        [id, current.version],
        historyEntry('delete', current, null, ctx, this.clock()),
      );
      if (deleted) return current;
      if (attempt >= UNCONDITIONAL_ATTEMPTS) {
        throw new ConflictError(`Threshold ${id} is being changed concurrently; retry.`);
      }
      // Changed meanwhile: the next pass reports 404 or 412, or retries an unconditional delete.
    }
  }

  async applyImport(
    plan: ImportPlan,
    ctx: WriteContext,
    alsoInTransaction?: (tx: StoreTransaction) => Promise<void>,
  ): Promise<void> {
    const at = this.clock();
    // Updates that end a default go first, so a default can move between thresholds of a
    // category within one import without tripping the unique index mid-transaction.
    const updates = [...plan.updates].sort(
      (a, b) => Number(isActiveDefault(a.threshold)) - Number(isActiveDefault(b.threshold)),
    );
    try {
      await this.dataSource.transaction(async (m) => {
        const entries: HistoryEntry[] = [];
        for (const { id, expectedVersion } of plan.deletes) {
          const current = await this.lockedVersion(m, id, expectedVersion);
          await m.delete(ThresholdEntity, { id });
          entries.push(historyEntry(importAction(ctx, 'delete'), current, null, ctx, at));
        }
        for (const { threshold, expectedVersion } of updates) {
          const current = await this.lockedVersion(m, threshold.id, expectedVersion);
          await m.update(ThresholdEntity, { id: threshold.id }, row(toEntity(threshold)));
          entries.push(historyEntry(importAction(ctx, 'update'), current, threshold, ctx, at));
        }
        const last = await lastVersions(
          m,
          plan.creates.map((t) => t.id),
        );
        for (const planned of plan.creates) {
          const t = continuing(planned, last.get(planned.id) ?? 0);
          await m.insert(ThresholdEntity, row(toEntity(t)));
          entries.push(historyEntry(importAction(ctx, 'create'), null, t, ctx, at));
        }
        if (entries.length > 0)
          await m.insert(
            ThresholdHistoryEntity,
            entries.map((e) => row(toHistoryEntity(e))),
          );
        if (alsoInTransaction) await alsoInTransaction({ store: 'postgres', handle: m });
      });
    } catch (error) {
      throw this.translate(error, undefined, undefined);
    }
  }

  async revision(): Promise<string> {
    const [row] = await this.dataSource.query<{ revision: string }[]>(
      `SELECT concat_ws(':', count(*), coalesce(sum(version), 0), max(updated_at),
         (SELECT max(id) FROM risk_threshold_history)) AS revision FROM risk_thresholds`,
    );
    return row.revision;
  }

  async history(id: string): Promise<HistoryEntry[]> {
    const rows = await this.dataSource
      .getRepository(ThresholdHistoryEntity)
      .find({ where: { thresholdId: id }, order: { id: 'DESC' } });
    return rows.map(historyToDomain);
  }

  async storedWithTrailsSince(after: Date): Promise<{ stored: Threshold[]; trails: HistoryEntry[] }> {
    // One snapshot for both reads: a write between them would be undone from a state without it.
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const stored = await loadAll(manager);
      // Raw rows (no entity hydration): far back, this is most of the trail, sorted in memory
      // (100,000 entries are about 30 MB; the default work_mem would sort them on disk).
      await manager.query(`SET LOCAL work_mem = '64MB'`);
      const rows = await manager.query<HistoryRow[]>(
        `WITH since AS (SELECT * FROM risk_threshold_history WHERE at > $1)
         SELECT * FROM since
         UNION ALL
         SELECT b.* FROM (SELECT DISTINCT threshold_id FROM since) t
           CROSS JOIN LATERAL (SELECT * FROM risk_threshold_history h
                                WHERE h.threshold_id = t.threshold_id AND h.at <= $1
                                ORDER BY h.id DESC LIMIT 1) b
         ORDER BY threshold_id, id DESC`,
        [after],
      );
      return { stored, trails: rows.map(historyRowToDomain) };
    });
  }

  /** Runs a write statement with its history entry; answers whether a row was written. */
  private async run(
    statement: Statement,
    params: unknown[],
    entry: HistoryEntry,
    extra: unknown[] = [],
  ): Promise<boolean> {
    const values = [...params, ...this.statements.history.values(toHistoryEntity(entry)), ...extra];
    const pool = (this.dataSource.driver as unknown as { master: PgPool }).master;
    const result = await pool.query({ name: statement.name, text: statement.text, values });
    return result.rowCount === 1;
  }

  /** Reads a row for update inside an import and checks it is still at the planned version. */
  private async lockedVersion(m: EntityManager, id: string, expectedVersion: number): Promise<Threshold> {
    const row = await m.findOne(ThresholdEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw new NotFoundError('Threshold', id);
    if (row.version !== expectedVersion) throw new PreconditionFailedError(id, row.version);
    return toDomain(row);
  }

  /** Runs a single-threshold write (one statement), translating constraint violations into domain errors. */
  private async write<T>(category: Category, id: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw await this.translateAsync(error, category, id);
    }
  }

  private async translateAsync(error: unknown, category: Category, id: string): Promise<unknown> {
    if (constraintOf(error) === ACTIVE_DEFAULT) {
      const existing = await this.dataSource
        .getRepository(ThresholdEntity)
        .findOneBy({ category, isDefault: true, isActive: true });
      return defaultConflictError(category, existing?.id ?? 'unknown');
    }
    return this.translate(error, category, id);
  }

  private translate(error: unknown, category: Category | undefined, id: string | undefined): unknown {
    const pg = pgError(error);
    if (!pg) return error;
    const { code, constraint } = pg;
    if (code === '23505' && constraint === IDEMPOTENCY_PK) return new IdempotencyKeyTaken();
    if (code === '23505' && constraint === PK) {
      return id ? duplicateIdError(id) : new ConflictError('A threshold with one of these ids already exists.');
    }
    if (code === '23505' && constraint === ACTIVE_DEFAULT) {
      return category
        ? defaultConflictError(category, 'another threshold')
        : new ConflictError('The write would leave a category with more than one active default.');
    }
    if (code === '23505') return new ConflictError('The write conflicts with stored data.');
    if (code === '23514' || code?.startsWith('22')) {
      return new ValidationError([], 'The threshold breaks a rule the database enforces.');
    }
    return error;
  }
}

/** Entities as TypeORM's insert/update input (its deep-partial type cannot express `unknown` JSON values). */
function row<T>(entity: T): QueryDeepPartialEntity<T> {
  return entity as QueryDeepPartialEntity<T>;
}

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rowCount: number | null }>;
}

function isActiveDefault(t: Threshold): boolean {
  return t.isActive && t.isDefault;
}

/** The PostgreSQL error fields of a driver error, raw (`pg`) or wrapped by TypeORM. */
function pgError(error: unknown): { code?: string; constraint?: string } | undefined {
  const raw: unknown = error instanceof QueryFailedError ? error.driverError : error;
  if (typeof raw !== 'object' || raw === null || typeof (raw as { code?: unknown }).code !== 'string') return undefined;
  return raw;
}

function constraintOf(error: unknown): string | undefined {
  return pgError(error)?.constraint;
}

/**
 * Every threshold, in pages of `LOAD_PAGE` rows by id (call inside a REPEATABLE READ transaction:
 * one consistent snapshot), straight from the driver's rows: no entity hydration, equal values
 * shared. At 100,000 thresholds that is the difference between a full load's time and peak
 * memory and half of them. Order is the catalog's business, not this query's.
 */
async function loadAll(manager: EntityManager): Promise<Threshold[]> {
  const all: Threshold[] = [];
  const intern = new Interner();
  // The first page has no lower bound: any sentinel would skip an id equal to it (the nil UUID).
  let after: string | null = null;
  for (;;) {
    const rows: ThresholdRow[] = await manager.query<ThresholdRow[]>(
      `SELECT * FROM risk_thresholds WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT ${LOAD_PAGE}`,
      [after],
    );
    for (const row of rows) all.push(rowToDomain(row, intern));
    if (rows.length < LOAD_PAGE) return all;
    after = rows[rows.length - 1].id;
  }
}

/** The highest version each of `ids` ever had, from the audit trail (absent: never used). */
async function lastVersions(m: EntityManager, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await m.query<{ threshold_id: string; version: number }[]>(
    `SELECT threshold_id, max(version) AS version FROM risk_threshold_history
      WHERE threshold_id = ANY($1::uuid[]) GROUP BY threshold_id`,
    [ids],
  );
  return new Map(rows.map((r) => [r.threshold_id, Number(r.version)]));
}
