import { historyEntry } from '@app/modules/thresholds/domain/history';
import { fieldsOf, type Threshold } from '@app/modules/thresholds/domain/threshold';
import { catalogAsOf, versionsOf } from '@app/modules/thresholds/domain/versions';
import { aThreshold } from '@test/support/builders';

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 0, minute));
const by = (actor: string): { actor: string; requestId: string } => ({ actor, requestId: `req-${actor}` });

describe('versionsOf (CONTRACT §7.4)', () => {
  const seed = aThreshold({ name: 'seed', createdAt: at(0), createdBy: 'system' });
  const v2: Threshold = { ...seed, name: 'renamed', version: 2, updatedAt: at(5), lastModifiedBy: 'alice' };
  const v3: Threshold = { ...v2, priority: 7, version: 3, updatedAt: at(9), lastModifiedBy: 'bob' };
  const trail = [
    historyEntry('update', v2, v3, by('bob'), at(9)),
    historyEntry('update', seed, v2, by('alice'), at(5)),
  ];

  it('an untouched seed has its version 1, written when the row was', () => {
    expect(versionsOf(seed, [])).toEqual([
      expect.objectContaining({
        version: 1,
        fields: fieldsOf(seed),
        origin: 'seed',
        writtenAt: at(0),
        writtenBy: 'system',
      }),
    ]);
  });

  it('walks back every update, and each version knows who wrote it and when it was replaced', () => {
    const versions = versionsOf(v3, trail);
    expect(versions.map((v) => [v.version, v.fields.name, v.fields.priority, v.origin, v.writtenBy])).toEqual([
      [3, 'renamed', 7, 'update', 'bob'],
      [2, 'renamed', seed.priority, 'update', 'alice'],
      [1, 'seed', seed.priority, 'seed', 'system'],
    ]);
    expect(versions.map((v) => v.supersededAt)).toEqual([null, at(9), at(5)]);
    expect(versions.every((v) => !v.deleted)).toBe(true);
  });

  it('a deleted threshold keeps its versions, the last one marked as deleted', () => {
    const removed = historyEntry('delete', v3, null, by('carol'), at(12));
    const versions = versionsOf(null, [removed, ...trail]);
    expect(versions.map((v) => [v.version, v.fields.priority, v.deleted, v.supersededAt])).toEqual([
      [3, 7, true, at(12)],
      [2, seed.priority, false, at(9)],
      [1, seed.priority, false, at(5)],
    ]);
    // Nothing stored is left to say when the seed row was made.
    expect(versions[2]).toMatchObject({ origin: 'seed', writtenAt: null, writtenBy: null });
  });

  it('an imported threshold starts at the version it was imported with; earlier numbers do not exist', () => {
    const imported = aThreshold({ version: 4 });
    const versions = versionsOf(imported, [historyEntry('import', null, imported, by('dave'), at(3))]);
    expect(versions.map((v) => [v.version, v.origin])).toEqual([[4, 'import']]);
  });

  it('an id deleted and created again has one run of versions per life, the newest first', () => {
    const first = aThreshold({ name: 'first life' });
    const second: Threshold = { ...aThreshold({ name: 'second life' }), id: first.id };
    const versions = versionsOf(second, [
      historyEntry('create', null, second, by('b'), at(8)),
      historyEntry('delete', first, null, by('a'), at(7)),
      historyEntry('create', null, first, by('a'), at(1)),
    ]);
    expect(versions.map((v) => [v.version, v.fields.name, v.deleted])).toEqual([
      [1, 'second life', false],
      [1, 'first life', true],
    ]);
  });
});

describe('catalogAsOf (CONTRACT §7.4)', () => {
  const seed = aThreshold({ name: 'seed', createdAt: at(0) });
  const edited: Threshold = { ...seed, priority: 9, version: 2, updatedAt: at(10), lastModifiedBy: 'alice' };
  const born = aThreshold({ name: 'born later', createdAt: at(20) });
  const doomed = aThreshold({ name: 'deleted later', createdAt: at(1) });
  const stored = [edited, born];
  const trails = [
    historyEntry('update', seed, edited, by('alice'), at(10)),
    historyEntry('create', null, born, by('bob'), at(20)),
    historyEntry('delete', doomed, null, by('carol'), at(30)),
  ];
  const asOf = (minute: number): Record<string, [number, number]> =>
    Object.fromEntries(catalogAsOf(stored, trails, at(minute)).map((t) => [t.name, [t.version, t.priority]]));

  it('before a change: the version then; after: the stored one; a threshold exists only in its lifetime', () => {
    expect(asOf(5)).toEqual({ seed: [1, seed.priority], 'deleted later': [1, doomed.priority] });
    expect(asOf(15)).toEqual({ seed: [2, 9], 'deleted later': [1, doomed.priority] });
    expect(asOf(25)).toEqual({ seed: [2, 9], 'born later': [1, born.priority], 'deleted later': [1, doomed.priority] });
    expect(asOf(35)).toEqual({ seed: [2, 9], 'born later': [1, born.priority] });
  });

  it('each threshold then carries when its version was written (the matching order uses it)', () => {
    const then = catalogAsOf(stored, trails, at(5)).find((t) => t.id === seed.id);
    expect(then).toMatchObject({ version: 1, updatedAt: seed.createdAt, lastModifiedBy: seed.createdBy });
  });
});
