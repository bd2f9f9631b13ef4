import { randomUUID } from 'node:crypto';
import { draft, edit, review, schedule, submit, type ChangeRequest } from '@app/modules/changes/domain/change-request';
import type { ChangeRequestRepository } from '@app/modules/changes/persistence/change-request.repository';
import { aThresholdFields } from '@test/support/builders';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const ONE = { approvals: 1 };

export function aChangeRequest(author = 'alice', minute = 0, items = 1): ChangeRequest {
  return draft(
    randomUUID(),
    {
      title: `Change by ${author}`,
      reason: 'Loss rates moved; the bands follow.',
      ticket: 'RISK-1',
      items: Array.from({ length: items }, () => ({
        op: 'create' as const,
        thresholdId: randomUUID(),
        baseVersion: null,
        threshold: aThresholdFields({ metadata: { source: 'contract' } }),
      })),
    },
    author,
    at(minute),
  );
}

/**
 * The behaviour every `ChangeRequestRepository` adapter must have. `makeRepository` returns an
 * empty store.
 */
export function changeRequestRepositoryContract(
  adapterName: string,
  makeRepository: () => Promise<ChangeRequestRepository>,
): void {
  describe(`ChangeRequestRepository contract: ${adapterName}`, () => {
    it('stores and returns a request whole, items and reviews in order, as a copy', async () => {
      const repo = await makeRepository();
      const cr = aChangeRequest('alice', 0, 3);
      expect(await repo.insert(cr)).toEqual({ request: cr, rowVersion: 1 });
      const found = await repo.findById(cr.id);
      expect(found).toEqual({ request: cr, rowVersion: 1 });
      found!.request.items.pop();
      expect((await repo.findById(cr.id))?.request.items).toHaveLength(3);
      await expect(repo.findById(randomUUID())).resolves.toBeNull();
    });

    it('saves only from the row version read: of two transitions from one state, one wins', async () => {
      const repo = await makeRepository();
      const cr = aChangeRequest();
      await repo.insert(cr);
      const submitted = submit(cr, ONE, at(1));
      expect(await repo.save(submitted, 1)).toBe(2);
      // A second writer that read version 1 loses, and changes nothing.
      expect(await repo.save({ ...cr, state: 'cancelled' }, 1)).toBeNull();
      const reviewed = review(submitted, { reviewer: 'bob', decision: 'approve', comment: 'ok' }, ONE, at(2));
      expect(await repo.save(reviewed, 2)).toBe(3);
      const edited = edit(reviewed, { items: aChangeRequest('x', 0, 2).items, title: 'Two items now' }, 'carol', at(3));
      expect(await repo.save(edited, 3)).toBe(4);
      expect(await repo.findById(cr.id)).toEqual({ request: edited, rowVersion: 4 });
    });

    it('keeps the impact report a revision was sent to review with', async () => {
      const repo = await makeRepository();
      const cr = aChangeRequest();
      await repo.insert(cr);
      const impact = {
        revision: 1,
        from: '2026-11-02',
        to: '2026-12-01',
        computedAt: at(1),
        report: {
          observations: 12,
          changed: 3,
          changedShare: 0.25,
          transitions: [
            { category: 'financial' as const, fromLevel: 'low' as const, toLevel: 'medium' as const, count: 3 },
          ],
          byThreshold: [
            {
              thresholdId: null,
              before: { minimal: 1, low: 5, medium: 6, high: 0, critical: 0 },
              after: { minimal: 1, low: 2, medium: 9, high: 0, critical: 0 },
            },
          ],
          nearCutoffs: [],
        },
      };
      const submitted = { ...submit(cr, ONE, at(1)), impact };
      expect(await repo.save(submitted, 1)).toBe(2);
      expect((await repo.findById(cr.id))?.request).toEqual(submitted);
    });

    it('lists newest first, filtered by state, author and who may review, paged', async () => {
      const repo = await makeRepository();
      const mine = [aChangeRequest('alice', 1), aChangeRequest('alice', 2), aChangeRequest('bob', 3)];
      for (const cr of mine) await repo.insert(cr);
      const inReview = submit(mine[0], ONE, at(4));
      await repo.save(inReview, 1);
      const ids = async (filter: Parameters<ChangeRequestRepository['list']>[0], limit = 10): Promise<string[]> =>
        (await repo.list(filter, limit)).map((s) => s.request.id);
      expect(await ids({})).toEqual([mine[2].id, mine[1].id, mine[0].id]);
      expect(await ids({ createdBy: 'alice' })).toEqual([mine[1].id, mine[0].id]);
      expect(await ids({ state: 'in_review' })).toEqual([mine[0].id]);
      expect(await ids({ awaitingReviewBy: 'carol' })).toEqual([mine[0].id]);
      expect(await ids({ awaitingReviewBy: 'alice' })).toEqual([]);
      const first = await repo.list({}, 2);
      const last = first[first.length - 1].request;
      expect((await repo.list({}, 2, { createdAt: last.createdAt, id: last.id })).map((s) => s.request.id)).toEqual([
        mine[0].id,
      ]);
      // Once carol reviewed this revision, it no longer awaits her.
      const reviewed = review(
        inReview,
        { reviewer: 'carol', decision: 'approve', comment: null },
        { approvals: 2 },
        at(5),
      );
      await repo.save(reviewed, 2);
      expect(await ids({ awaitingReviewBy: 'carol' })).toEqual([]);
      expect(await ids({ awaitingReviewBy: 'dave' })).toEqual([mine[0].id]);
    });

    it('due: scheduled requests whose time has come; a claim is won by one replica only', async () => {
      const repo = await makeRepository();
      const cr = aChangeRequest();
      await repo.insert(cr);
      const approved = review(
        submit(cr, ONE, at(1)),
        { reviewer: 'bob', decision: 'approve', comment: null },
        ONE,
        at(2),
      );
      const scheduled = schedule(approved, at(30), at(3));
      await repo.save(scheduled, 1);
      expect(await repo.due(at(29), 10)).toEqual([]);
      const [due] = await repo.due(at(31), 10);
      expect(due.request.id).toBe(cr.id);
      const claims = await Promise.all([1, 2, 3].map(() => repo.claim(cr.id, due.rowVersion, at(32))));
      expect(claims.filter((c) => c !== null)).toEqual([due.rowVersion + 1]);
      // Claimed: not due again until the claim lapses.
      expect(await repo.due(at(31.5), 10)).toEqual([]);
      expect((await repo.due(at(33), 10)).map((s) => s.request.id)).toEqual([cr.id]);
    });

    it('counts requests by state', async () => {
      const repo = await makeRepository();
      const [a, b, c] = [aChangeRequest('a'), aChangeRequest('b'), aChangeRequest('c')];
      for (const cr of [a, b, c]) await repo.insert(cr);
      await repo.save(submit(a, ONE, at(1)), 1);
      expect(await repo.countByState()).toEqual({ draft: 2, in_review: 1 });
    });

    it('holds a 1000-item request', async () => {
      const repo = await makeRepository();
      const cr = aChangeRequest('alice', 0, 1000);
      await repo.insert(cr);
      expect((await repo.findById(cr.id))?.request.items).toEqual(cr.items);
    });
  });
}
