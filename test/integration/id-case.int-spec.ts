import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, send } from '@test/support/app';
import { aCreateBody } from '@test/support/builders';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';
import { Client } from 'pg';

const ADMIN = '/v1/admin/risk/thresholds';

/** The same id with each hex letter upper- or lower-cased as `mask` says. */
function recase(id: string, mask: number): string {
  let bit = 0;
  return id.replace(/[a-f]/g, (c) => ((mask >> (bit++ % 30)) & 1 ? c.toUpperCase() : c));
}

type Command =
  | { kind: 'create'; slot: number; mask: number; isDefault: boolean }
  | { kind: 'patch'; slot: number; mask: number; priority: number; isDefault: boolean }
  | { kind: 'delete'; slot: number; mask: number }
  | { kind: 'get'; slot: number; mask: number };

const SLOTS = 3;
const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const mask = fc.integer({ min: 0, max: 2 ** 30 - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), slot, mask, isDefault: fc.boolean() }),
  fc.record({
    kind: fc.constant('patch' as const),
    slot,
    mask,
    priority: fc.integer({ min: 1, max: 1000 }),
    isDefault: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), slot, mask }),
  fc.record({ kind: fc.constant('get' as const), slot, mask }),
);

// Issue #14, finding 2: an id in upper case was stored (PostgreSQL's uuid ignores case) while the
// catalog kept it as given, so the catalog and the store disagreed until the next resync.
describe('ids in any case name one threshold (PostgreSQL store)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createTestApp({ env: { STORAGE: 'postgres', DATABASE_URL: db.url } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function stored(): Promise<Map<string, { version: number; is_default: boolean }>> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; version: number; is_default: boolean }>(
        'SELECT id, version, is_default FROM risk_thresholds',
      );
      return new Map(rows.map((r) => [r.id, { version: r.version, is_default: r.is_default }]));
    } finally {
      await client.end();
    }
  }

  async function catalog(): Promise<Map<string, { version: number; is_default: boolean }>> {
    const all = new Map<string, { version: number; is_default: boolean }>();
    let cursor: string | undefined;
    do {
      const page = (await send(app, 'GET', `${ADMIN}?limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json();
      for (const t of page.thresholds) all.set(t.id, { version: t.version, is_default: t.is_default });
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return all;
  }

  it('any sequence of writes with ids in random case leaves the catalog equal to the store', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
        const ids = Array.from({ length: SLOTS }, () => randomUUID());
        // Its own category per run, so defaults of earlier runs do not collide with this one's.
        for (const c of commands) {
          const id = recase(ids[c.slot], c.mask);
          if (c.kind === 'create') {
            const r = await send(
              app,
              'POST',
              ADMIN,
              aCreateBody({ id, category: 'compliance', is_default: c.isDefault }),
            );
            expect([201, 409]).toContain(r.statusCode);
            if (r.statusCode === 201) {
              expect(r.json().id).toBe(ids[c.slot]);
              expect(r.headers.location).toBe(`${ADMIN}/${ids[c.slot]}`);
            }
          } else if (c.kind === 'patch') {
            const r = await send(app, 'PATCH', `${ADMIN}/${id}`, { priority: c.priority, is_default: c.isDefault });
            expect([200, 404, 409]).toContain(r.statusCode);
            if (r.statusCode === 200) expect(r.json().id).toBe(ids[c.slot]);
          } else if (c.kind === 'delete') {
            expect([204, 404]).toContain((await send(app, 'DELETE', `${ADMIN}/${id}`)).statusCode);
          } else {
            const r = await send(app, 'GET', `${ADMIN}/${id}`);
            const row = (await stored()).get(ids[c.slot]);
            expect(r.statusCode).toBe(row ? 200 : 404);
            if (row) expect(r.json()).toMatchObject({ id: ids[c.slot], version: row.version });
          }
        }
        expect(await catalog()).toEqual(await stored());
        // Clean up: the next run starts with no default in the category.
        for (const id of ids) await send(app, 'DELETE', `${ADMIN}/${id}`);
      }),
      { numRuns: 25 },
    );
  });
});
