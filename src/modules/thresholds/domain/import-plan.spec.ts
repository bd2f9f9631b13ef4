import { ConflictError, ValidationError } from '@app/modules/thresholds/domain/errors';
import { planImport, type ImportCandidate } from '@app/modules/thresholds/domain/import-plan';
import { fieldsOf } from '@app/modules/thresholds/domain/threshold';
import { aThreshold, aThresholdFields } from '@test/support/builders';

const now = new Date('2026-06-01T00:00:00Z');
let n = 0;
const opts = {
  mode: 'upsert' as const,
  actor: 'importer',
  now,
  newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
};

describe('planImport', () => {
  it('counts identical items as unchanged, changed ones as updates with version + 1, others as creates', () => {
    const same = aThreshold({ version: 3 });
    const changed = aThreshold({ version: 2 });
    const items: ImportCandidate[] = [
      { pointer: '/0', id: same.id, fields: fieldsOf(same) },
      { pointer: '/1', id: changed.id, fields: { ...fieldsOf(changed), name: 'new name' } },
      { pointer: '/2', fields: aThresholdFields() },
    ];
    const plan = planImport([same, changed], items, opts);
    expect(plan.counts).toEqual({ created: 1, updated: 1, unchanged: 1, deleted: 0 });
    expect(plan.updates[0]).toMatchObject({
      expectedVersion: 2,
      threshold: { id: changed.id, name: 'new name', version: 3, lastModifiedBy: 'importer', updatedAt: now },
    });
    expect(plan.creates[0]).toMatchObject({ version: 1, createdBy: 'importer', createdAt: now });
  });

  it('keeps the server fields an item carries when it creates it', () => {
    const exported = aThreshold({
      version: 7,
      createdBy: 'carol',
      lastModifiedBy: 'dave',
      updatedAt: new Date('2026-02-02T00:00:00Z'),
    });
    const plan = planImport(
      [],
      [
        {
          pointer: '/0',
          id: exported.id,
          fields: fieldsOf(exported),
          version: 7,
          createdAt: exported.createdAt,
          updatedAt: exported.updatedAt,
          createdBy: 'carol',
          lastModifiedBy: 'dave',
        },
      ],
      opts,
    );
    expect(plan.creates).toEqual([exported]);
  });

  it('deletes what the file does not name in replace mode only', () => {
    const kept = aThreshold();
    const dropped = aThreshold({ version: 4 });
    const items = [{ pointer: '/0', id: kept.id, fields: fieldsOf(kept) }];
    expect(planImport([kept, dropped], items, opts).deletes).toEqual([]);
    const replace = planImport([kept, dropped], items, { ...opts, mode: 'replace' });
    expect(replace.deletes).toEqual([{ id: dropped.id, expectedVersion: 4 }]);
    expect(replace.counts.deleted).toBe(1);
  });

  it('checks the one-active-default rule on the resulting set', () => {
    const storedDefault = aThreshold({ category: 'financial', isDefault: true });
    const newDefault: ImportCandidate = {
      pointer: '/thresholds/1',
      fields: aThresholdFields({ category: 'financial', isDefault: true }),
    };
    expect(() => planImport([storedDefault], [newDefault], opts)).toThrow(ConflictError);
    try {
      planImport([storedDefault], [newDefault], opts);
    } catch (error) {
      expect((error as ConflictError).violations).toEqual([
        expect.objectContaining({ field: '/thresholds/1/is_default', code: 'default_exists' }),
      ]);
    }
    // Replacing the stored default drops it, so the new one is the only one.
    expect(planImport([storedDefault], [newDefault], { ...opts, mode: 'replace' }).counts).toMatchObject({
      created: 1,
      deleted: 1,
    });
  });

  it('rejects the same id twice, naming both items', () => {
    const t = aThreshold();
    const items = [
      { pointer: '/0', id: t.id, fields: fieldsOf(t) },
      { pointer: '/1', id: t.id, fields: fieldsOf(t) },
    ];
    expect(() => planImport([], items, opts)).toThrow(ValidationError);
    try {
      planImport([], items, opts);
    } catch (error) {
      expect((error as ValidationError).violations).toEqual([
        { field: '/1/id', message: 'repeats the id of /0', code: 'duplicate_id' },
      ]);
    }
  });
});
