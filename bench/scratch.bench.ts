import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions } from '@app/modules/database/data-source.options';
import { PostgresThresholdRepository } from '@app/modules/thresholds/persistence/postgres/postgres-threshold.repository';
import { aThresholdFields } from '@test/support/builders';
import { createTestDatabase } from '@test/support/postgres';
import { throughput } from './support/load';

it('scratch', async () => {
  const db = await createTestDatabase();
  const ds = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: db.url }).database!));
  await ds.initialize();
  const repo = new PostgresThresholdRepository(ds);
  const pool = new Pool({ connectionString: db.url, max: 10 });
  const out: string[] = [];
  for (let r = 0; r < 3; r++) {
    out.push(
      `raw insert: ${(
        await throughput(1500, 10, async () => {
          const now = new Date();
          await pool.query(
            `INSERT INTO risk_thresholds (id, name, category, risk_levels, created_at, updated_at, created_by, last_modified_by, metadata, industry_code, priority) VALUES ($1, 'x', 'strategic', $2, $3, $3, 'b', 'b', $4, '5221', 5)`,
            [
              randomUUID(),
              JSON.stringify({ low: 20, medium: 40, high: 60, critical: 80 }),
              now,
              JSON.stringify({ i: 1 }),
            ],
          );
        })
      ).toFixed(0)}`,
    );
    out.push(
      `repo.create: ${(
        await throughput(1500, 10, async () => {
          await repo.create(aThresholdFields({ industryCode: '5221', priority: 5, metadata: { i: 1 } }), {
            actor: 'b',
          });
        })
      ).toFixed(0)}`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
  await pool.end();
  await ds.destroy();
  await db.drop();
}, 300_000);
