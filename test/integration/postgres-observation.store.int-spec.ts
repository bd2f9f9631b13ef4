import { DataSource } from 'typeorm';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';
import { PostgresObservationStore } from '@app/modules/observations/persistence/postgres/postgres-observation.store';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';
import { observationStoreContract } from '@test/support/observation-store.contract';

let db: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: db.url }).database!));
  await dataSource.initialize();
});

afterAll(async () => {
  await dataSource.destroy();
  await db.drop();
});

/** The monthly partitions that exist now. */
async function partitions(): Promise<string[]> {
  const rows = await dataSource.query<{ name: string }[]>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'score_observations' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

observationStoreContract('postgres', async () => {
  for (const name of await partitions()) await dataSource.query(`DROP TABLE "${name}"`);
  return new PostgresObservationStore(dataSource);
});

describe('score observations on PostgreSQL', () => {
  it('holds only day, category, industry code, business type, score and count (no identifiers)', async () => {
    const columns = await dataSource.query<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'score_observations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual([
      'day',
      'category',
      'industry_code',
      'business_type',
      'score',
      'count',
    ]);
  });

  it('adds an interval whole or not at all: a row the database refuses in the last batch leaves nothing of the first', async () => {
    const store = new PostgresObservationStore(dataSource);
    const row = { day: '2026-11-03', category: 'financial' as const, industryCode: 'ATOMIC', businessType: '' };
    const many = Array.from({ length: 12_000 }, (_, i) => ({
      ...row,
      score: i % 10_001,
      businessType: `t${i}`,
      count: 1,
    }));
    many.push({ ...row, score: 1, count: 0 }); // violates count > 0
    await expect(store.add(many)).rejects.toMatchObject({ code: '23514' });
    expect(await store.window({ from: '2026-11-03', to: '2026-11-03', industryCode: 'ATOMIC' })).toEqual([]);
  });

  it('stores a business type that grew when lower-cased (100 × İ is 200 code units)', async () => {
    const store = new PostgresObservationStore(dataSource);
    const businessType = 'İ'.repeat(100).toLowerCase();
    expect(businessType.length).toBe(200);
    await store.add([{ day: '2026-11-04', category: 'financial', industryCode: '', businessType, score: 1, count: 1 }]);
    expect(await store.window({ from: '2026-11-04', to: '2026-11-04', businessType })).toHaveLength(1);
  });

  it('creates a partition again when it was dropped while the service ran', async () => {
    const store = new PostgresObservationStore(dataSource);
    const row = {
      day: '2026-11-05',
      category: 'financial' as const,
      industryCode: 'DROPPED',
      businessType: '',
      score: 1,
      count: 1,
    };
    await store.add([row]);
    await dataSource.query('DROP TABLE score_observations_2026_11');
    await store.add([row]);
    expect(await store.window({ from: '2026-11-05', to: '2026-11-05', industryCode: 'DROPPED' })).toEqual([
      { category: 'financial', industryCode: 'DROPPED', businessType: '', score: 1, count: 1 },
    ]);
  });

  it('keeps each month in its own partition; pruning drops whole partitions and leaves the others untouched', async () => {
    for (const name of await partitions()) await dataSource.query(`DROP TABLE "${name}"`);
    const store = new PostgresObservationStore(dataSource);
    const row = { category: 'financial' as const, industryCode: '', businessType: '', score: 100, count: 1 };
    await store.add(
      ['2026-07-03', '2026-08-14', '2026-09-30', '2026-10-01', '2026-11-02'].map((day) => ({ ...row, day })),
    );
    expect(await partitions()).toEqual([
      'score_observations_2026_07',
      'score_observations_2026_08',
      'score_observations_2026_09',
      'score_observations_2026_10',
      'score_observations_2026_11',
    ]);
    // Rows of a month live in its partition only (a window touches only its months).
    const inOctober = await dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM score_observations_2026_10`);
    expect(Number(inOctober[0].n)).toBe(1);
    const plan = await dataSource.query<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN SELECT * FROM score_observations WHERE day BETWEEN '2026-10-01' AND '2026-10-31'`,
    );
    const scanned = plan.map((p) => p['QUERY PLAN']).join('\n');
    expect(scanned).toContain('score_observations_2026_10');
    expect(scanned).not.toContain('score_observations_2026_09');

    const before = await dataSource.query<{ xmin: string }[]>(`SELECT xmin::text FROM score_observations_2026_10`);
    expect(await store.prune('2026-09-15')).toEqual(['2026-07', '2026-08']);
    expect(await partitions()).toEqual([
      'score_observations_2026_09',
      'score_observations_2026_10',
      'score_observations_2026_11',
    ]);
    // The rows left were not rewritten (no DELETE, no UPDATE: the same tuple).
    expect(await dataSource.query(`SELECT xmin::text FROM score_observations_2026_10`)).toEqual(before);
  });
});
