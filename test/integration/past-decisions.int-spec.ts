import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { createTestApp, send } from '@test/support/app';
import { wireFieldsOf } from '@test/support/builders';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';

type Json = Record<string, unknown>;
const THRESHOLDS = '/v1/admin/risk/thresholds';

/** Resolves once the clock has moved past `instant` (history times are milliseconds). */
async function after(instant: Date): Promise<void> {
  while (Date.now() <= instant.getTime()) await new Promise((resolve) => setImmediate(resolve));
}

// Bands as four increasing cut-offs from three gaps, so every generated set is valid.
const bands = fc
  .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }))
  .chain(([low, a, b]) =>
    fc.integer({ min: 1, max: 100 - low - a - b }).map((c) => ({
      low,
      medium: low + a,
      high: low + a + b,
      critical: low + a + b + c,
    })),
  );
// Few keys, so thresholds compete for the same requests (a more specific one takes cases from another).
const fields = fc.record({
  category: fc.constantFrom('operational', 'cybersecurity'),
  industry_code: fc.constantFrom(null, '62', '6201'),
  business_type: fc.constantFrom(null, 'saas'),
  risk_levels: bands,
  priority: fc.integer({ min: -3, max: 3 }),
  is_active: fc.constantFrom(true, true, true, false),
});
// Every update moves the bands; some also reorder or (de)activate.
const change = fc.record(
  { risk_levels: bands, priority: fc.integer({ min: -3, max: 3 }), is_active: fc.constantFrom(true, true, false) },
  { requiredKeys: ['risk_levels'] },
);
const step = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), fields }),
  fc.record({ kind: fc.constant('update' as const), target: fc.nat(), change }),
  fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }),
  fc.record({
    kind: fc.constant('apply' as const),
    target: fc.nat(),
    change,
    also: fields,
  }),
);
const requests = fc.array(
  fc.record({
    score: fc.integer({ min: 0, max: 100 }),
    category: fc.constantFrom('operational', 'cybersecurity'),
    industry_code: fc.constantFrom('6201', '6202'),
    business_type: fc.constantFrom(undefined, 'saas'),
  }),
  { minLength: 8, maxLength: 8 },
);

// CONTRACT §7.4 on real PostgreSQL: for random sequences of creates, updates, deletes and
// change-request applies, every version the versions endpoint rebuilds is the state the write
// answered, and a past decision at any recorded instant is the answer /classify gave then.
describe('versions and past decisions on PostgreSQL (fast-check)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createTestApp({ env: { STORAGE: 'postgres', DATABASE_URL: db.url, CHANGE_APPROVALS: '0' } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('rebuilds every version written and every decision given', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 8 }), requests, async (steps, asked) => {
        const mine: string[] = [];
        const written: { id: string; version: number; fields: Json }[] = [];
        const decided: { at: Date; answers: Json[] }[] = [];
        const record = (t: Json): void =>
          void written.push({ id: t.id as string, version: t.version as number, fields: wireFieldsOf(t) });
        for (const s of steps) {
          const target = mine.length === 0 ? undefined : mine[('target' in s ? s.target : 0) % mine.length];
          if (s.kind === 'create') {
            const res = await send(app, 'POST', THRESHOLDS, { name: 'Property', ...s.fields });
            if (res.statusCode !== 201) continue; // e.g. a second active default: refused, nothing written
            mine.push(res.json<Json>().id as string);
            record(res.json());
          } else if (!target) {
            continue;
          } else if (s.kind === 'update') {
            const res = await send(app, 'PATCH', `${THRESHOLDS}/${target}`, s.change);
            if (res.statusCode !== 200) continue;
            record(res.json());
          } else if (s.kind === 'delete') {
            if ((await send(app, 'DELETE', `${THRESHOLDS}/${target}`)).statusCode === 204)
              mine.splice(mine.indexOf(target), 1);
          } else {
            const base = (await send(app, 'GET', `${THRESHOLDS}/${target}`)).json<Json>();
            const created = await send(app, 'POST', '/v1/admin/risk/change-requests', {
              title: 'Property',
              reason: 'A generated change of two items.',
              items: [
                { op: 'update', threshold_id: target, base_version: base.version, threshold: s.change },
                { op: 'create', threshold: { name: 'Property', ...s.also } },
              ],
            });
            expect(created.statusCode).toBe(201);
            const applied = await send(
              app,
              'POST',
              `/v1/admin/risk/change-requests/${created.json<Json>().id as string}/apply`,
            );
            if (applied.json<Json>().state !== 'applied') continue; // refused as a whole (e.g. a second default)
            const items = applied.json<{ items: { op: string; threshold_id: string }[] }>().items;
            const made = items.find((i) => i.op === 'create')!.threshold_id;
            mine.push(made);
            for (const id of [target, made]) record((await send(app, 'GET', `${THRESHOLDS}/${id}`)).json());
          }
          const answers = await Promise.all(
            asked.map(async (r) => (await send(app, 'POST', '/v1/risk/classify', r)).json<Json>()),
          );
          const at = new Date();
          decided.push({ at, answers });
          await after(at);
        }
        for (const w of written) {
          const res = await send(app, 'GET', `${THRESHOLDS}/${w.id}/versions/${w.version}`);
          expect({ ...w, fields: res.json<Json>().threshold }).toEqual(w);
        }
        for (const d of decided) {
          const past = await Promise.all(
            asked.map(async (r) =>
              (await send(app, 'POST', '/v1/admin/risk/classify', { ...r, as_of: d.at.toISOString() })).json<Json>(),
            ),
          );
          expect({ at: d.at, answers: past }).toEqual({
            at: d.at,
            answers: d.answers.map((a) => ({ ...a, as_of: d.at.toISOString() })),
          });
        }
      }),
      { numRuns: 15 },
    );
  }, 240_000);
});
