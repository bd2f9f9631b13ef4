import type { DataSource } from 'typeorm';
import {
  lastDayOf,
  monthsBetween,
  nextMonth,
  type Observation,
  type WindowObservation,
} from '@app/modules/observations/domain/observation';
import { ObservationStore, type ObservationQuery } from '@app/modules/observations/persistence/observation.store';
import type { Category } from '@app/modules/thresholds/domain/threshold';

/** The partitioned table (migration 1795651200007) and its monthly partitions' names. */
const OBSERVATIONS_TABLE = 'score_observations';
const partitionOf = (month: string): string => `${OBSERVATIONS_TABLE}_${month.replace('-', '_')}`;
const PARTITION_NAME = new RegExp(`^${OBSERVATIONS_TABLE}_(\\d{4})_(\\d{2})$`);
/** Rows per INSERT: one statement per batch, arrays unnested. */
const FLUSH_BATCH = 5000;

/**
 * Observations in PostgreSQL, in a table partitioned by month on `day` (a year of busy traffic is
 * tens of millions of rows): a window reads only its months' partitions, retention drops whole
 * partitions. Partitions are created by the service when a month is first written and ahead of
 * time by the retention job; creating one that exists is a no-op, so replicas need no coordination.
 */
export class PostgresObservationStore extends ObservationStore {
  private readonly prepared = new Set<string>();

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async add(observations: readonly Observation[]): Promise<void> {
    if (observations.length === 0) return;
    const days = observations.map((o) => o.day).sort();
    await this.prepare(days[0], days[days.length - 1]);
    try {
      await this.insert(observations);
    } catch (error) {
      // A month's partition dropped behind our back (by hand, or another replica's retention at a
      // month's turn): forget what we knew, create what is missing, and try once more.
      if ((error as { code?: string }).code !== '23514' || !String((error as Error).message).includes('no partition')) {
        throw error;
      }
      this.prepared.clear();
      await this.prepare(days[0], days[days.length - 1]);
      await this.insert(observations);
    }
  }

  /** Every batch in one transaction: all of an interval is added, or none of it. */
  private async insert(observations: readonly Observation[]): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      for (let i = 0; i < observations.length; i += FLUSH_BATCH) {
        const batch = observations.slice(i, i + FLUSH_BATCH);
        await m.query(
          `INSERT INTO ${OBSERVATIONS_TABLE} AS o (day, category, industry_code, business_type, score, count)
         SELECT * FROM unnest($1::date[], $2::varchar[], $3::varchar[], $4::varchar[], $5::numeric[], $6::bigint[])
         ON CONFLICT (day, category, industry_code, business_type, score) DO UPDATE SET count = o.count + EXCLUDED.count`,
          [
            batch.map((o) => o.day),
            batch.map((o) => o.category),
            batch.map((o) => o.industryCode),
            batch.map((o) => o.businessType),
            batch.map((o) => (o.score / 100).toFixed(2)),
            batch.map((o) => o.count),
          ],
        );
      }
    });
  }

  async window(q: ObservationQuery): Promise<WindowObservation[]> {
    const params: unknown[] = [q.from, q.to];
    const where = ['day BETWEEN $1 AND $2'];
    if (q.category !== undefined) where.push(`category = $${params.push(q.category)}`);
    if (q.industryCode !== undefined) where.push(`starts_with(industry_code, $${params.push(q.industryCode)})`);
    if (q.businessType !== undefined) where.push(`business_type = $${params.push(q.businessType)}`);
    const rows = await this.dataSource.query<
      { category: Category; industry_code: string; business_type: string; score: string; count: string }[]
    >(
      `SELECT category, industry_code, business_type, score, sum(count) AS count FROM ${OBSERVATIONS_TABLE}
        WHERE ${where.join(' AND ')} GROUP BY category, industry_code, business_type, score`,
      params,
    );
    return rows.map((r) => ({
      category: r.category,
      industryCode: r.industry_code,
      businessType: r.business_type,
      score: Math.round(Number(r.score) * 100),
      count: Number(r.count),
    }));
  }

  async prune(before: string): Promise<string[]> {
    const partitions = await this.dataSource.query<{ name: string }[]>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace
        WHERE p.relname = $1 AND n.nspname = current_schema()`,
      [OBSERVATIONS_TABLE],
    );
    const removed: string[] = [];
    for (const { name } of partitions) {
      const match = PARTITION_NAME.exec(name);
      if (!match) continue;
      const month = `${match[1]}-${match[2]}`;
      if (lastDayOf(month) >= before) continue;
      await this.dataSource.query(`DROP TABLE IF EXISTS "${name}"`);
      this.prepared.delete(month);
      removed.push(month);
    }
    return removed.sort();
  }

  async prepare(from: string, to: string): Promise<void> {
    for (const month of monthsBetween(from, to)) {
      if (this.prepared.has(month)) continue;
      try {
        await this.dataSource.query(
          `CREATE TABLE IF NOT EXISTS "${partitionOf(month)}" PARTITION OF ${OBSERVATIONS_TABLE}
             FOR VALUES FROM ('${month}-01') TO ('${nextMonth(month)}-01')`,
        );
      } catch (error) {
        // Two replicas creating the same partition at once: the loser's error names the existing table.
        if ((error as { code?: string }).code !== '42P07' && (error as { code?: string }).code !== '23505') throw error;
      }
      this.prepared.add(month);
    }
  }
}
