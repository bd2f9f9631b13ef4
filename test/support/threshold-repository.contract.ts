import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ConflictError, NotFoundError, PreconditionFailedError } from '@app/modules/thresholds/domain/errors';
import { fieldsOf, type Threshold, type ThresholdChanges } from '@app/modules/thresholds/domain/threshold';
import { catalogAsOf, versionsOf } from '@app/modules/thresholds/domain/versions';
import {
  IdempotencyKeyTaken,
  type ThresholdRepository,
} from '@app/modules/thresholds/persistence/threshold.repository';
import { aThreshold, aThresholdFields } from '@test/support/builders';

/**
 * The behaviour every `ThresholdRepository` adapter must have. An adapter's test file calls
 * this with a factory that returns a store holding exactly `initial`.
 */
export function thresholdRepositoryContract(
  adapterName: string,
  makeRepository: (initial: Threshold[]) => Promise<ThresholdRepository>,
): void {
  const ctx = { actor: 'alice', requestId: 'req-1' };

  describe(`ThresholdRepository contract: ${adapterName}`, () => {
    describe('create', () => {
      it('stores a threshold at version 1 with server fields set', async () => {
        const repo = await makeRepository([]);
        const created = await repo.create(aThresholdFields({ name: 'A', priority: 5 }), ctx);
        expect(created.version).toBe(1);
        expect(created.createdBy).toBe('alice');
        expect(created.lastModifiedBy).toBe('alice');
        expect(created.createdAt.getTime()).toBe(created.updatedAt.getTime());
        expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
        await expect(repo.findById(created.id)).resolves.toEqual(created);
      });

      it('an id deleted and created again continues its versions: an id and a version name one state', async () => {
        const repo = await makeRepository([]);
        const first = await repo.create(aThresholdFields({ name: 'first life' }), ctx);
        await repo.update(first.id, { priority: 3 }, ctx);
        await repo.delete(first.id, ctx);
        const again = await repo.create({ ...aThresholdFields({ name: 'second life' }), id: first.id }, ctx);
        expect(again.version).toBe(3);
        await repo.delete(first.id, ctx);
        const imported = aThreshold({ id: first.id, version: 1, name: 'third life' });
        await repo.applyImport({ creates: [imported], updates: [], deletes: [] }, ctx);
        expect((await repo.findById(first.id))?.version).toBe(4);
        const versions = (await repo.history(first.id)).map((e) => e.version);
        expect(versions).toEqual([4, 3, 3, 2, 2, 1]);
      });

      it('keeps a client-supplied id', async () => {
        const repo = await makeRepository([]);
        const id = randomUUID();
        const created = await repo.create({ ...aThresholdFields(), id }, ctx);
        expect(created.id).toBe(id);
      });

      it('rejects a duplicate id with ConflictError and changes nothing', async () => {
        const existing = aThreshold();
        const repo = await makeRepository([existing]);
        await expect(
          repo.create({ ...aThresholdFields({ name: 'other' }), id: existing.id }, ctx),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(repo.findById(existing.id)).resolves.toEqual(existing);
        await expect(repo.findAll()).resolves.toHaveLength(1);
      });

      it('rejects a second active default in a category and changes nothing', async () => {
        const def = aThreshold({ category: 'financial', isDefault: true });
        const repo = await makeRepository([def]);
        await expect(
          repo.create(aThresholdFields({ category: 'financial', isDefault: true }), ctx),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(repo.findAll()).resolves.toEqual([def]);
      });

      it('allows an inactive second default, and a default in another category', async () => {
        const repo = await makeRepository([aThreshold({ category: 'financial', isDefault: true })]);
        await repo.create(aThresholdFields({ category: 'financial', isDefault: true, isActive: false }), ctx);
        await repo.create(aThresholdFields({ category: 'operational', isDefault: true }), ctx);
        await expect(repo.findAll()).resolves.toHaveLength(3);
      });
    });

    describe('reads return copies', () => {
      it('a caller mutating a returned threshold does not change the store', async () => {
        const t = aThreshold({ metadata: { owner: 'risk' } });
        const repo = await makeRepository([t]);
        const read = (await repo.findById(t.id)) as Threshold;
        read.name = 'mutated';
        (read.riskLevels as { low: number }).low = 1;
        (read.metadata as Record<string, unknown>).owner = 'mutated';
        read.updatedAt.setTime(0);
        await expect(repo.findById(t.id)).resolves.toEqual(t);
      });

      it('findByIds answers the stored ones among the ids', async () => {
        const a = aThreshold();
        const b = aThreshold();
        const repo = await makeRepository([a, b]);
        const found = await repo.findByIds([b.id, randomUUID(), a.id]);
        expect(found.sort((x, y) => x.id.localeCompare(y.id))).toEqual([a, b].sort((x, y) => x.id.localeCompare(y.id)));
        await expect(repo.findByIds([])).resolves.toEqual([]);
      });

      it('findById answers null for an unknown id', async () => {
        const repo = await makeRepository([]);
        await expect(repo.findById(randomUUID())).resolves.toBeNull();
      });
    });

    describe('update', () => {
      it('changes only the given fields, bumps the version and records the actor', async () => {
        const t = aThreshold({ description: 'before', industryCode: '52' });
        const repo = await makeRepository([t]);
        const updated = await repo.update(t.id, { name: 'renamed', industryCode: null }, { actor: 'bob' });
        expect(updated).toMatchObject({
          name: 'renamed',
          industryCode: null,
          description: 'before',
          version: 2,
          lastModifiedBy: 'bob',
          createdBy: t.createdBy,
        });
        expect(updated.createdAt).toEqual(t.createdAt);
        expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(t.updatedAt.getTime());
        await expect(repo.findById(t.id)).resolves.toEqual(updated);
      });

      it('treats a change to identical values as no change', async () => {
        const t = aThreshold();
        const repo = await makeRepository([t]);
        const same = await repo.update(t.id, { name: t.name, riskLevels: { ...t.riskLevels } }, ctx);
        expect(same).toEqual(t);
      });

      it('honours the expected version', async () => {
        const t = aThreshold({ version: 3 });
        const repo = await makeRepository([t]);
        await expect(repo.update(t.id, { name: 'x' }, { ...ctx, expectedVersion: 2 })).rejects.toBeInstanceOf(
          PreconditionFailedError,
        );
        await expect(repo.findById(t.id)).resolves.toEqual(t);
        await expect(repo.update(t.id, { name: 'x' }, { ...ctx, expectedVersion: 3 })).resolves.toMatchObject({
          version: 4,
        });
      });

      it('lets only one of two writers holding the same version win', async () => {
        const t = aThreshold();
        const repo = await makeRepository([t]);
        const results = await Promise.allSettled([
          repo.update(t.id, { name: 'first' }, { ...ctx, expectedVersion: 1 }),
          repo.update(t.id, { name: 'second' }, { ...ctx, expectedVersion: 1 }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(PreconditionFailedError);
        await expect(repo.findById(t.id)).resolves.toMatchObject({ version: 2 });
      });

      it('rejects a change that makes a second active default, and changes nothing', async () => {
        const def = aThreshold({ category: 'financial', isDefault: true });
        const other = aThreshold({ category: 'financial' });
        const repo = await makeRepository([def, other]);
        await expect(repo.update(other.id, { isDefault: true }, ctx)).rejects.toBeInstanceOf(ConflictError);
        await expect(repo.findById(other.id)).resolves.toEqual(other);
      });

      it('answers NotFoundError for an unknown id', async () => {
        const repo = await makeRepository([]);
        await expect(repo.update(randomUUID(), { name: 'x' }, ctx)).rejects.toBeInstanceOf(NotFoundError);
      });
    });

    describe('delete', () => {
      it('removes and returns the threshold', async () => {
        const t = aThreshold();
        const repo = await makeRepository([t]);
        await expect(repo.delete(t.id, ctx)).resolves.toEqual(t);
        await expect(repo.findById(t.id)).resolves.toBeNull();
      });

      it('honours the expected version and answers NotFoundError for an unknown id', async () => {
        const t = aThreshold({ version: 2 });
        const repo = await makeRepository([t]);
        await expect(repo.delete(t.id, { ...ctx, expectedVersion: 1 })).rejects.toBeInstanceOf(PreconditionFailedError);
        await expect(repo.findById(t.id)).resolves.toEqual(t);
        await expect(repo.delete(randomUUID(), ctx)).rejects.toBeInstanceOf(NotFoundError);
      });
    });

    describe('findAll', () => {
      it('answers every threshold, inactive included (in any order: the catalog orders them)', async () => {
        const at = (sec: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, sec));
        const a = aThreshold({ priority: 5, createdAt: at(1) });
        const b = aThreshold({ priority: 5, createdAt: at(2) });
        const c = aThreshold({ priority: 0, createdAt: at(3), isActive: false });
        const d = aThreshold({ priority: 9, createdAt: at(0) });
        const sameKey1 = aThreshold({ id: '10000000-0000-4000-8000-000000000002', priority: 1, createdAt: at(5) });
        const sameKey2 = aThreshold({ id: '10000000-0000-4000-8000-000000000001', priority: 1, createdAt: at(5) });
        const repo = await makeRepository([a, b, c, d, sameKey1, sameKey2]);
        const all = await repo.findAll();
        const byId = (x: { id: string }, y: { id: string }): number => (x.id < y.id ? -1 : 1);
        expect([...all].sort(byId)).toEqual([a, b, c, d, sameKey1, sameKey2].sort(byId));
      });
    });

    describe('applyImport', () => {
      it('applies creates, updates and deletes together', async () => {
        const keep = aThreshold();
        const change = aThreshold();
        const drop = aThreshold();
        const repo = await makeRepository([keep, change, drop]);
        const created = aThreshold({ version: 4, createdBy: 'someone' });
        const changed = { ...change, name: 'changed', version: 2 };
        await repo.applyImport(
          {
            creates: [created],
            updates: [{ threshold: changed, expectedVersion: 1 }],
            deletes: [{ id: drop.id, expectedVersion: 1 }],
          },
          ctx,
        );
        const all = await repo.findAll();
        expect(all).toHaveLength(3);
        expect(all).toEqual(expect.arrayContaining([keep, changed, created]));
      });

      it('applies nothing when one part fails', async () => {
        const def = aThreshold({ category: 'financial', isDefault: true });
        const other = aThreshold();
        const repo = await makeRepository([def, other]);
        const before = await repo.findAll();
        await expect(
          repo.applyImport(
            {
              creates: [aThreshold({ category: 'financial', isDefault: true })],
              updates: [{ threshold: { ...other, name: 'changed', version: 2 }, expectedVersion: 1 }],
              deletes: [],
            },
            ctx,
          ),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(
          repo.applyImport(
            { creates: [aThreshold()], updates: [], deletes: [{ id: other.id, expectedVersion: 7 }] },
            ctx,
          ),
        ).rejects.toBeInstanceOf(PreconditionFailedError);
        await expect(repo.findAll()).resolves.toEqual(before);
      });
    });

    describe('history', () => {
      it('records one entry per write with actor, request id and the changed fields, newest first', async () => {
        const repo = await makeRepository([]);
        const created = await repo.create(aThresholdFields({ name: 'A' }), {
          actor: 'alice',
          requestId: 'r1',
          serverRequestId: '00000000-0000-4000-8000-0000000000a1',
        });
        await repo.update(
          created.id,
          { name: 'B', priority: 3 },
          { actor: 'bob', requestId: 'r2', serverRequestId: '00000000-0000-4000-8000-0000000000a2' },
        );
        await repo.update(created.id, { name: 'B' }, { actor: 'bob', requestId: 'r3' }); // no change, no entry
        await repo.delete(created.id, { actor: 'carol' });
        const history = await repo.history(created.id);
        expect(history.map((h) => [h.action, h.version, h.actor, h.requestId, h.serverRequestId])).toEqual([
          ['delete', 2, 'carol', null, null],
          ['update', 2, 'bob', 'r2', '00000000-0000-4000-8000-0000000000a2'],
          ['create', 1, 'alice', 'r1', '00000000-0000-4000-8000-0000000000a1'],
        ]);
        expect(history[1].changes).toEqual({ name: { from: 'A', to: 'B' }, priority: { from: 0, to: 3 } });
        expect(history[2].changes.name).toEqual({ from: null, to: 'A' });
        expect(history[0].changes.name).toEqual({ from: 'B', to: null });
        expect(history[0].at).toBeInstanceOf(Date);
      });

      it('records nothing for a failed write', async () => {
        const def = aThreshold({ category: 'financial', isDefault: true });
        const other = aThreshold({ category: 'financial' });
        const repo = await makeRepository([def, other]);
        await expect(repo.update(other.id, { isDefault: true }, ctx)).rejects.toBeInstanceOf(ConflictError);
        await expect(repo.update(other.id, { name: 'x' }, { ...ctx, expectedVersion: 9 })).rejects.toBeInstanceOf(
          PreconditionFailedError,
        );
        await expect(repo.create({ ...aThresholdFields(), id: def.id }, ctx)).rejects.toBeInstanceOf(ConflictError);
        await expect(repo.delete(def.id, { ...ctx, expectedVersion: 5 })).rejects.toBeInstanceOf(
          PreconditionFailedError,
        );
        await expect(
          repo.applyImport(
            { creates: [aThreshold({ category: 'financial', isDefault: true })], updates: [], deletes: [] },
            ctx,
          ),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(repo.history(def.id)).resolves.toEqual([]);
        await expect(repo.history(other.id)).resolves.toEqual([]);
      });

      it('records an import entry for each threshold an import creates, updates or deletes', async () => {
        const change = aThreshold();
        const drop = aThreshold();
        const repo = await makeRepository([change, drop]);
        const created = aThreshold();
        await repo.applyImport(
          {
            creates: [created],
            updates: [{ threshold: { ...change, priority: 9, version: 2 }, expectedVersion: 1 }],
            deletes: [{ id: drop.id, expectedVersion: 1 }],
          },
          { actor: 'importer', requestId: 'imp-1', serverRequestId: '00000000-0000-4000-8000-0000000000a1' },
        );
        for (const [id, version] of [
          [created.id, 1],
          [change.id, 2],
          [drop.id, 1],
        ] as const) {
          const history = await repo.history(id);
          expect(history.map((h) => [h.action, h.version, h.actor, h.requestId, h.serverRequestId])).toEqual([
            ['import', version, 'importer', 'imp-1', '00000000-0000-4000-8000-0000000000a1'],
          ]);
        }
        expect((await repo.history(change.id))[0].changes).toEqual({ priority: { from: 0, to: 9 } });
      });
    });

    describe('revision', () => {
      it('changes with every write and stays put without one', async () => {
        const t = aThreshold();
        const repo = await makeRepository([t]);
        const seen = [await repo.revision()];
        expect(await repo.revision()).toBe(seen[0]);
        const created = await repo.create(aThresholdFields(), ctx);
        seen.push(await repo.revision());
        await repo.update(created.id, { priority: 4 }, ctx);
        seen.push(await repo.revision());
        await repo.delete(t.id, ctx);
        seen.push(await repo.revision());
        await repo.applyImport({ creates: [aThreshold()], updates: [], deletes: [] }, ctx);
        seen.push(await repo.revision());
        expect(new Set(seen).size).toBe(seen.length);
      });
    });

    describe('idempotent creates', () => {
      it('stores the claim with the create; a second create with the key is IdempotencyKeyTaken and creates nothing', async () => {
        const repo = await makeRepository([]);
        const claim = { key: 'retry-1', fingerprint: 'f'.repeat(64) };
        const created = await repo.create(aThresholdFields({ name: 'once' }), ctx, claim);
        await expect(repo.findIdempotentCreate(ctx.actor, 'retry-1')).resolves.toEqual({
          fingerprint: claim.fingerprint,
          threshold: created,
        });
        await expect(repo.create(aThresholdFields({ name: 'twice' }), ctx, claim)).rejects.toBeInstanceOf(
          IdempotencyKeyTaken,
        );
        await expect(repo.findAll()).resolves.toEqual([created]);
        // Keys are per actor.
        await expect(repo.findIdempotentCreate('someone-else', 'retry-1')).resolves.toBeNull();
        await repo.create(aThresholdFields(), { actor: 'someone-else' }, claim);
        await expect(repo.findAll()).resolves.toHaveLength(2);
      });

      it('a failed create stores no claim', async () => {
        const def = aThreshold({ category: 'financial', isDefault: true });
        const repo = await makeRepository([def]);
        const claim = { key: 'k', fingerprint: 'a'.repeat(64) };
        await expect(
          repo.create(aThresholdFields({ category: 'financial', isDefault: true }), ctx, claim),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(repo.findIdempotentCreate(ctx.actor, 'k')).resolves.toBeNull();
      });

      it('forgets claims older than a point in time', async () => {
        const repo = await makeRepository([]);
        await repo.create(aThresholdFields(), ctx, { key: 'old', fingerprint: 'b'.repeat(64) });
        await expect(repo.forgetIdempotencyKeys(new Date(Date.now() - 60_000))).resolves.toBe(0);
        await expect(repo.forgetIdempotencyKeys(new Date(Date.now() + 60_000))).resolves.toBe(1);
        await expect(repo.findIdempotentCreate(ctx.actor, 'old')).resolves.toBeNull();
      });
    });

    // CONTRACT §7.4: every version of a threshold can be rebuilt from what the store keeps (its
    // stored state and its trail), seeds included: they have no trail entry for their version 1.
    describe('versions rebuilt from the trail', () => {
      const change = fc.record(
        {
          name: fc.string({ minLength: 1, maxLength: 12 }),
          description: fc.option(fc.string({ maxLength: 12 })),
          priority: fc.integer({ min: -5, max: 5 }),
          riskLevels: fc
            .integer({ min: 0, max: 60 })
            .map((b) => ({ low: b, medium: b + 10, high: b + 20, critical: b + 30 })),
          isActive: fc.boolean(),
          metadata: fc.option(fc.dictionary(fc.constantFrom('a', 'b'), fc.integer())),
        },
        { requiredKeys: [] },
      ) as fc.Arbitrary<ThresholdChanges>;
      const step = fc.oneof(
        fc.record({ kind: fc.constant('create' as const) }),
        fc.record({ kind: fc.constant('update' as const), target: fc.nat(), changes: change }),
        fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }),
        fc.record({ kind: fc.constant('import' as const), target: fc.nat(), changes: change }),
      );

      it('every version the store wrote equals the one versionsOf rebuilds from its state and trail', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
            const seeds = [aThreshold({ category: 'strategic' }), aThreshold({ category: 'strategic' })];
            const repo = await makeRepository(seeds);
            const written = new Map<string, Map<number, unknown>>();
            const remember = (t: Threshold): void => {
              if (!written.has(t.id)) written.set(t.id, new Map());
              written.get(t.id)!.set(t.version, fieldsOf(t));
            };
            seeds.forEach(remember);
            for (const s of steps) {
              const live = await repo.findAll();
              const target = s.kind === 'create' || live.length === 0 ? undefined : live[s.target % live.length];
              if (s.kind === 'create') remember(await repo.create(aThresholdFields(), ctx));
              else if (!target) continue;
              else if (s.kind === 'update') remember(await repo.update(target.id, s.changes, ctx));
              else if (s.kind === 'delete') await repo.delete(target.id, ctx);
              else {
                const next = { ...target, ...s.changes, version: target.version + 1 };
                await repo.applyImport(
                  { creates: [], updates: [{ threshold: next, expectedVersion: target.version }], deletes: [] },
                  ctx,
                );
                remember((await repo.findById(target.id))!);
              }
            }
            for (const [id, byVersion] of written) {
              const rebuilt = versionsOf(await repo.findById(id), await repo.history(id));
              const got = new Map(rebuilt.map((v) => [v.version, v.fields]));
              // An update that changed nothing wrote no version: the store answered the same one.
              expect({ id, versions: got }).toEqual({ id, versions: byVersion });
            }
          }),
          { numRuns: 15 },
        );
      }, 120_000);

      it('the catalog rebuilt for any past instant is the catalog the store held then', async () => {
        const tick = async (after: number): Promise<void> => {
          // History times are milliseconds: the next write must come strictly later.
          while (Date.now() <= after) await new Promise((resolve) => setImmediate(resolve));
        };
        const shape = (all: Threshold[]): Record<string, unknown> =>
          Object.fromEntries(all.map((t) => [t.id, { version: t.version, fields: fieldsOf(t) }]));
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
            const repo = await makeRepository([aThreshold({ category: 'strategic' })]);
            const seen: { at: Date; catalog: Record<string, unknown> }[] = [];
            for (const s of steps) {
              const live = await repo.findAll();
              const target = live.length === 0 ? undefined : live[s.kind === 'create' ? 0 : s.target % live.length];
              if (s.kind === 'create') await repo.create(aThresholdFields(), ctx);
              else if (!target) continue;
              else if (s.kind === 'update') await repo.update(target.id, s.changes, ctx);
              else if (s.kind === 'delete') await repo.delete(target.id, ctx);
              else
                await repo.applyImport(
                  {
                    creates: [],
                    updates: [
                      {
                        threshold: { ...target, ...s.changes, version: target.version + 1 },
                        expectedVersion: target.version,
                      },
                    ],
                    deletes: [],
                  },
                  ctx,
                );
              const at = new Date();
              seen.push({ at, catalog: shape(await repo.findAll()) });
              await tick(at.getTime());
            }
            for (const { at, catalog } of seen) {
              const { stored, trails } = await repo.storedWithTrailsSince(at);
              expect({ at, catalog: shape(catalogAsOf(stored, trails, at)) }).toEqual({ at, catalog });
            }
          }),
          { numRuns: 10 },
        );
      }, 120_000);
    });
  });
}
