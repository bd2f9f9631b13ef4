/**
 * What the benchmark stores and asks: seeded thresholds at a given count (deterministic, varied
 * like real data: every category, industry codes of 2 to 5 characters, some business types, a
 * few inactive), and the requests each endpoint is measured with (the same at every size).
 */
import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { CATEGORIES } from '@app/modules/thresholds/domain/threshold';

/** The full 5-character industry code of seeded row `i`; its threshold uses a 2-5 character prefix. */
export const fullCode = (i: number): string => String((i * 7919) % 100000).padStart(5, '0');

/** Adds seeded rows until the table holds `size` thresholds (the 9 migration seeds included). */
export async function topUp(client: Client, size: number): Promise<number> {
  const { rows } = await client.query<{ n: string; max: string | null }>(
    `SELECT count(*) AS n, max((metadata->>'bench')::int) AS max FROM risk_thresholds`,
  );
  const missing = size - Number(rows[0].n);
  const from = Number(rows[0].max ?? 0) + 1;
  if (missing <= 0) return 0;
  await client.query(
    `INSERT INTO risk_thresholds (id, name, description, category, industry_code, business_type, risk_levels,
       is_default, is_active, priority, metadata, version, created_at, updated_at, created_by, last_modified_by)
     SELECT overlay(overlay(md5('rts-bench-' || i) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid,
            'bench ' || i,
            NULL,
            ($3::text[])[1 + i % 8],
            CASE WHEN i % 10 = 0 THEN NULL
                 ELSE substr(lpad(((i::bigint * 7919) % 100000)::text, 5, '0'), 1, 2 + i % 4) END,
            CASE WHEN i % 4 = 0 THEN 'type-' || (i % 20) END,
            jsonb_build_object('low', 10 + i % 10, 'medium', 30 + i % 10, 'high', 60 + i % 10, 'critical', 85 + i % 10),
            false,
            i % 25 <> 0,
            i % 1000 - 500,
            jsonb_build_object('bench', i),
            1,
            now() - make_interval(secs => i),
            now() - make_interval(secs => i),
            'bench',
            'bench'
       FROM generate_series($1::int, $2::int) AS i`,
    [from, from + missing - 1, [...CATEGORIES]],
  );
  return missing;
}

/** Ids of seeded rows that exist at every size (i = 1..16, active). */
export function seededIds(): string[] {
  // The md5 of 'rts-bench-<i>' as a version-4 UUID, as topUp computes it in SQL.
  return Array.from({ length: 16 }, (_, k) => k + 1)
    .filter((i) => i % 25 !== 0)
    .map((i) => {
      const md5 = createHash('md5').update(`rts-bench-${i}`).digest('hex');
      const hex = `${md5.slice(0, 12)}4${md5.slice(13, 16)}8${md5.slice(17)}`;
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    });
}

interface ClassifyBody {
  score: number;
  category: string;
  industry_code: string;
  business_type?: string;
}

/** Sixteen classify requests across categories, codes and business types. */
export function classifyBodies(): ClassifyBody[] {
  return Array.from({ length: 16 }, (_, k) => {
    const i = (k + 1) * 997;
    return {
      score: (k * 13) % 101,
      category: CATEGORIES[i % 8],
      industry_code: fullCode(i),
      ...(k % 3 === 0 ? { business_type: `type-${i % 20}` } : {}),
    };
  });
}

export function matchQueries(): string[] {
  return classifyBodies().map((b) => {
    const q = new URLSearchParams({ category: b.category, industry_code: b.industry_code });
    if (b.business_type) q.set('business_type', b.business_type);
    return `/v1/risk/thresholds/match?${q.toString()}`;
  });
}

export function batchBody(items: number): { items: ClassifyBody[] } {
  const bodies = classifyBodies();
  return { items: Array.from({ length: items }, (_, i) => ({ ...bodies[i % bodies.length], score: i % 101 })) };
}

/** The row the create benchmark stores, through the API and as a raw INSERT. */
export function createBody(): Record<string, unknown> {
  return {
    name: 'bench-create',
    category: 'strategic',
    industry_code: '6201',
    business_type: 'saas',
    priority: 10,
    risk_levels: { low: 20, medium: 40, high: 60, critical: 80 },
    metadata: { source: 'bench' },
  };
}

/**
 * Gives the seeded rows an audit trail of `total` update entries (about `total / rows` each), as
 * real writes would have left it: each entry moves the bands one step and records what they were,
 * the row ends at the last entry's bands and version, and the entries are spread over the ten days
 * after the row's creation (moved back eleven days so every entry is in the past). Answers the span.
 */
export async function seededHistory(client: Client, total: number): Promise<{ first: Date; last: Date }> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM risk_thresholds WHERE metadata ? 'bench'`,
  );
  const perRow = Math.floor(total / Number(rows[0].n));
  const extra = total - perRow * Number(rows[0].n);
  const levels = (shift: string): string =>
    `jsonb_build_object('low', 10 + (b + ${shift}) % 10, 'medium', 30 + (b + ${shift}) % 10, 'high', 60 + (b + ${shift}) % 10, 'critical', 85 + (b + ${shift}) % 10)`;
  await client.query('BEGIN');
  try {
    await client.query(
      `UPDATE risk_thresholds SET created_at = now() - interval '11 days' - make_interval(secs => (metadata->>'bench')::int),
                                  updated_at = now() - interval '11 days' - make_interval(secs => (metadata->>'bench')::int)
        WHERE metadata ? 'bench'`,
    );
    await client.query(
      `WITH r AS (SELECT id, version, created_at, (metadata->>'bench')::int AS b,
                         $1::int + CASE WHEN row_number() OVER (ORDER BY (metadata->>'bench')::int) <= $2 THEN 1 ELSE 0 END AS n
                    FROM risk_thresholds WHERE metadata ? 'bench')
       INSERT INTO risk_threshold_history (threshold_id, version, action, actor, request_id, at, changes)
       SELECT id, version + k, 'update', 'bench', NULL,
              created_at + make_interval(secs => k * 864000.0 / (n + 1)),
              jsonb_build_object('risk_levels', jsonb_build_object('from', ${levels('k - 1')}, 'to', ${levels('k')}))
         FROM r, generate_series(1, r.n) AS k`,
      [perRow, extra],
    );
    await client.query(
      `UPDATE risk_thresholds t SET version = h.version, risk_levels = h.changes->'risk_levels'->'to', updated_at = h.at
         FROM (SELECT DISTINCT ON (threshold_id) threshold_id, version, changes, at
                 FROM risk_threshold_history ORDER BY threshold_id, id DESC) h
        WHERE t.id = h.threshold_id AND t.metadata ? 'bench'`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  const span = await client.query<{ first: Date; last: Date }>(
    `SELECT min(at) AS first, max(at) AS last FROM risk_threshold_history WHERE actor = 'bench'`,
  );
  return span.rows[0];
}
