import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '@app/modules/database/data-source.options';
import { messageOf, type Check } from '@app/cli/ops/report';

/** TypeORM's bookkeeping table: created by the migration runner, not by a migration. */
const MIGRATIONS_TABLE = 'migrations';

interface Column {
  type: string;
  notNull: boolean;
  default: string | null;
}

/** The parts of a schema the service depends on, as PostgreSQL itself prints them. */
export interface SchemaShape {
  tables: Record<string, Record<string, Column>>;
  indexes: Record<string, { table: string; definition: string }>;
  constraints: Record<string, { table: string; definition: string }>;
  triggers: Record<string, { table: string; definition: string }>;
}

export interface MigrationState {
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to this release (a newer release ran them). */
  unknown: string[];
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Removes `schema.` qualifications, so definitions from two schemas compare equal. */
function unqualify(definition: string, schema: string): string {
  const escaped = schema.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return definition.replace(new RegExp(`(?:"${escaped}"|\\b${escaped})\\.`, 'g'), '');
}

export async function introspect(client: Client, schema: string): Promise<SchemaShape> {
  const shape: SchemaShape = { tables: {}, indexes: {}, constraints: {}, triggers: {} };
  const columns = await client.query<{
    table: string;
    column: string;
    type: string;
    not_null: boolean;
    default: string | null;
  }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $2
      ORDER BY c.relname, a.attnum`,
    [schema, MIGRATIONS_TABLE],
  );
  for (const row of columns.rows) {
    (shape.tables[row.table] ??= {})[row.column] = {
      type: row.type,
      notNull: row.not_null,
      default: row.default === null ? null : unqualify(row.default, schema),
    };
  }
  const objects = await client.query<{
    kind: 'index' | 'constraint' | 'trigger';
    name: string;
    table: string;
    definition: string;
  }>(
    `SELECT 'index' AS kind, i.relname AS name, t.relname AS table, pg_get_indexdef(i.oid) AS definition
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND NOT t.relispartition AND t.relname <> $2
     UNION ALL
     SELECT 'constraint', con.conname, t.relname, pg_get_constraintdef(con.oid)
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND NOT t.relispartition AND t.relname <> $2
     UNION ALL
     SELECT 'trigger', tg.tgname, t.relname, pg_get_triggerdef(tg.oid)
       FROM pg_trigger tg
       JOIN pg_class t ON t.oid = tg.tgrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND NOT tg.tgisinternal AND NOT t.relispartition`,
    [schema, MIGRATIONS_TABLE],
  );
  for (const row of objects.rows) {
    const target =
      row.kind === 'index' ? shape.indexes : row.kind === 'constraint' ? shape.constraints : shape.triggers;
    target[row.name] = { table: row.table, definition: unqualify(row.definition, schema) };
  }
  return shape;
}

/**
 * The schema the migrations define, built by running every migration in a scratch schema inside
 * a transaction that is rolled back: on the same server (so PostgreSQL prints both schemas the
 * same way), leaving nothing behind. Needs the CREATE privilege on the database.
 */
export async function expectedSchema(client: Client): Promise<SchemaShape> {
  const scratch = `rts_verify_${randomBytes(6).toString('hex')}`;
  const runner = { query: (sql: string, params?: unknown[]) => client.query(sql, params) } as unknown as QueryRunner;
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = '5s'`);
    await client.query(`CREATE SCHEMA ${quoteIdent(scratch)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(scratch)}`);
    for (const Migration of MIGRATIONS) await (new Migration() as MigrationInterface).up(runner);
    return await introspect(client, scratch);
  } finally {
    await client.query('ROLLBACK');
  }
}

export async function migrationState(client: Client, schema: string): Promise<MigrationState> {
  const known = MIGRATIONS.map((M) => (new M() as MigrationInterface).name ?? M.name);
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [
    `${quoteIdent(schema)}.${quoteIdent(MIGRATIONS_TABLE)}`,
  ]);
  const applied =
    exists.rows[0].t === null
      ? []
      : (
          await client.query<{ name: string }>(
            `SELECT name FROM ${quoteIdent(schema)}.${quoteIdent(MIGRATIONS_TABLE)} ORDER BY id`,
          )
        ).rows.map((r) => r.name);
  const appliedSet = new Set(applied);
  return {
    applied,
    pending: known.filter((name) => !appliedSet.has(name)),
    unknown: applied.filter((name) => !known.includes(name)),
  };
}

export async function currentSchema(client: Client): Promise<string> {
  return (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0].s;
}

function columnSql(column: Column): string {
  return `${column.type}${column.notNull ? ' NOT NULL' : ''}${column.default === null ? '' : ` DEFAULT ${column.default}`}`;
}

/** Every difference between the live schema and the expected one, each named with its fix. */
export function compareSchemas(live: SchemaShape, expected: SchemaShape): Check[] {
  const checks: Check[] = [];
  const fail = (name: string, detail: string, fix: string): void => {
    checks.push({ name, status: 'fail', detail, fix });
  };
  const warn = (name: string, detail: string, fix: string): void => {
    checks.push({ name, status: 'warn', detail, fix });
  };
  for (const [table, columns] of Object.entries(expected.tables)) {
    const liveColumns = live.tables[table];
    if (!liveColumns) {
      fail(
        `table.${table}`,
        `table ${table} is missing`,
        'run `node dist/cli migrate` (`npm run -s ops -- migrate` in a checkout) if migrations are pending; otherwise restore the table from a backup (docs/RUNBOOK.md)',
      );
      continue;
    }
    for (const [name, column] of Object.entries(columns)) {
      const t = quoteIdent(table);
      const c = quoteIdent(name);
      const liveColumn = liveColumns[name];
      if (!liveColumn) {
        fail(
          `column.${table}.${name}`,
          `column ${table}.${name} (${columnSql(column)}) is missing`,
          `ALTER TABLE ${t} ADD COLUMN ${c} ${columnSql(column)};`,
        );
        continue;
      }
      if (liveColumn.type !== column.type) {
        fail(
          `column.${table}.${name}`,
          `column ${table}.${name} is ${liveColumn.type}, expected ${column.type}`,
          `ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${column.type};`,
        );
      }
      if (liveColumn.notNull !== column.notNull) {
        fail(
          `column.${table}.${name}`,
          `column ${table}.${name} is ${liveColumn.notNull ? 'NOT NULL' : 'nullable'}, expected ${column.notNull ? 'NOT NULL' : 'nullable'}`,
          `ALTER TABLE ${t} ALTER COLUMN ${c} ${column.notNull ? 'SET' : 'DROP'} NOT NULL;`,
        );
      }
      if (liveColumn.default !== column.default) {
        fail(
          `column.${table}.${name}`,
          `column ${table}.${name} defaults to ${liveColumn.default ?? 'nothing'}, expected ${column.default ?? 'nothing'}`,
          column.default === null
            ? `ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT;`
            : `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${column.default};`,
        );
      }
    }
    for (const name of Object.keys(liveColumns)) {
      if (!columns[name]) {
        const extra = liveColumns[name];
        const blocking = extra.notNull && extra.default === null;
        (blocking ? fail : warn)(
          `column.${table}.${name}`,
          `column ${table}.${name} is not defined by the migrations${blocking ? ' and is NOT NULL without a default: every insert fails' : ''}`,
          `ALTER TABLE ${quoteIdent(table)} DROP COLUMN ${quoteIdent(name)}; (if nothing else uses it)`,
        );
      }
    }
  }
  for (const table of Object.keys(live.tables)) {
    if (!expected.tables[table]) {
      warn(
        `table.${table}`,
        `table ${table} is not defined by the migrations`,
        'leave it if another tool owns it; the service ignores it',
      );
    }
  }

  const objectKinds = [
    { kind: 'index', live: live.indexes, expected: expected.indexes },
    { kind: 'constraint', live: live.constraints, expected: expected.constraints },
    { kind: 'trigger', live: live.triggers, expected: expected.triggers },
  ] as const;
  for (const { kind, live: liveObjects, expected: expectedObjects } of objectKinds) {
    for (const [name, object] of Object.entries(expectedObjects)) {
      if (!live.tables[object.table]) continue; // reported with its table
      const create = createStatement(kind, name, object);
      const liveObject = liveObjects[name];
      if (!liveObject) {
        fail(`${kind}.${name}`, `${kind} ${name} on ${object.table} is missing (${object.definition})`, create);
      } else if (liveObject.definition !== object.definition) {
        fail(
          `${kind}.${name}`,
          `${kind} ${name} differs: it is ${liveObject.definition}, expected ${object.definition}`,
          `${dropStatement(kind, name, object.table)} ${create}`,
        );
      }
    }
    for (const [name, object] of Object.entries(liveObjects)) {
      if (expectedObjects[name] || !expected.tables[object.table]) continue;
      // A constraint or trigger of someone else's can reject or change the service's writes.
      (kind === 'index' ? warn : fail)(
        `${kind}.${name}`,
        `${kind} ${name} on ${object.table} is not defined by the migrations (${object.definition})`,
        `${dropStatement(kind, name, object.table)} (if nothing else needs it)`,
      );
    }
  }
  if (checks.length === 0) {
    const tables = Object.keys(expected.tables).length;
    const indexes = Object.keys(expected.indexes).length;
    const constraints = Object.keys(expected.constraints).length;
    const triggers = Object.keys(expected.triggers).length;
    checks.push({
      name: 'schema',
      status: 'ok',
      detail: `matches the migrations: ${tables} tables, ${indexes} indexes, ${constraints} constraints, ${triggers} triggers`,
    });
  }
  return checks;
}

function createStatement(
  kind: 'index' | 'constraint' | 'trigger',
  name: string,
  o: { table: string; definition: string },
): string {
  return kind === 'constraint'
    ? `ALTER TABLE ${quoteIdent(o.table)} ADD CONSTRAINT ${quoteIdent(name)} ${o.definition};`
    : `${o.definition};`;
}

function dropStatement(kind: 'index' | 'constraint' | 'trigger', name: string, table: string): string {
  switch (kind) {
    case 'index':
      return `DROP INDEX ${quoteIdent(name)};`;
    case 'constraint':
      return `ALTER TABLE ${quoteIdent(table)} DROP CONSTRAINT ${quoteIdent(name)};`;
    case 'trigger':
      return `DROP TRIGGER ${quoteIdent(name)} ON ${quoteIdent(table)};`;
  }
}

/** The pending and unknown migrations, as checks. */
export function migrationChecks(state: MigrationState): Check[] {
  const checks: Check[] = [];
  if (state.pending.length > 0) {
    checks.push({
      name: 'migrations.pending',
      status: 'fail',
      detail: `${state.pending.length} migration(s) not applied: ${state.pending.join(', ')}`,
      fix: 'run `node dist/cli migrate` (`npm run -s ops -- migrate` in a checkout) (the migration Job in Kubernetes) before starting this release',
    });
  } else {
    const known = state.applied.length - state.unknown.length;
    checks.push({
      name: 'migrations.pending',
      status: 'ok',
      detail: `all ${known} migrations of this release applied`,
    });
  }
  if (state.unknown.length > 0) {
    checks.push({
      name: 'migrations.unknown',
      status: 'warn',
      detail: `the database has migrations this release does not know: ${state.unknown.join(', ')} (a newer release ran them)`,
      fix: 'running an older release is safe only if those migrations were expand-only (docs/ROLLBACK.md)',
    });
  }
  return checks;
}

/** `db:verify-schema`'s checks: pending migrations, then every schema difference. */
export async function verifySchema(client: Client): Promise<{ checks: Check[]; state: MigrationState }> {
  const schema = await currentSchema(client);
  const state = await migrationState(client, schema);
  const live = await introspect(client, schema);
  let expected: SchemaShape;
  try {
    expected = await expectedSchema(client);
  } catch (error) {
    const denied = (error as { code?: string }).code === '42501';
    return {
      state,
      checks: [
        ...migrationChecks(state),
        {
          name: 'schema.reference',
          status: 'fail',
          detail: `cannot build the reference schema from the migrations: ${messageOf(error)}`,
          fix: denied
            ? 'run db:verify-schema as the migration role (it needs CREATE on the database; nothing is kept)'
            : 'see docs/TROUBLESHOOTING.md#database',
        },
      ],
    };
  }
  return {
    state,
    checks: [...migrationChecks(state), ...compareSchemas(live, expected), await partitionsCheck(client, schema)],
  };
}

/**
 * The monthly partitions of `score_observations` (CONTRACT §8.1): created by the service, not by a
 * migration, so they are not schema differences; reported so an operator sees what is kept.
 */
async function partitionsCheck(client: Client, schema: string): Promise<Check> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = $1 AND p.relname = 'score_observations'
      ORDER BY c.relname`,
    [schema],
  );
  const months = rows.map((r) => r.name.replace(/^score_observations_(\d{4})_(\d{2})$/, '$1-$2'));
  return {
    name: 'schema.partitions',
    status: 'ok',
    detail:
      months.length === 0
        ? 'score_observations: no monthly partition yet (the service creates one when a month is first written)'
        : `score_observations: ${months.length} monthly partition(s), ${months[0]} to ${months[months.length - 1]}`,
  };
}
