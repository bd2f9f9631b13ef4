import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { impactHeadline, ImpactSummary, movesOf, percent, type Impact } from './ImpactSummary';

const TODAY = '2026-12-02';
const base: Impact = {
  from: '2026-11-03',
  to: TODAY,
  observations: 7600,
  changed: 312,
  changed_share: 312 / 7600,
  transitions: [
    { category: 'financial', from_level: 'medium', to_level: 'high', count: 200 },
    { category: 'financial', from_level: 'low', to_level: 'medium', count: 32 },
    { category: 'operational', from_level: 'medium', to_level: 'high', count: 80 },
  ],
  by_threshold: [],
  near_cutoffs: [{ threshold_id: 'x', level: 'high', cutoff: 70, within_1_below: 4, within_1_above: 1 }],
};

describe('the impact summary', () => {
  it('says how many cases of the window change level, and which way, largest first', () => {
    expect(impactHeadline(base, TODAY)).toBe(
      '312 of the 7,600 cases classified in the last 30 days in every category (4.1 %) would change level: 280 medium → high, 32 low → medium.',
    );
    expect(movesOf(base)).toEqual([
      ['medium', 'high', 280],
      ['low', 'medium', 32],
    ]);
  });

  it('says plainly when nothing was observed, or nothing would change (never "0 %")', () => {
    expect(impactHeadline({ ...base, observations: 0, changed: 0, changed_share: 0, transitions: [] }, TODAY)).toBe(
      'No cases were classified in the last 30 days, so there is nothing to weigh this change against.',
    );
    expect(impactHeadline({ ...base, changed: 0, changed_share: 0, transitions: [] }, TODAY)).toBe(
      'None of the 7,600 cases classified in the last 30 days in every category would change level.',
    );
    expect(percent(1 / 7600)).toBe('< 0.1 %');
  });

  it('names a past window by its dates', () => {
    const old = {
      ...base,
      from: '2026-10-01',
      to: '2026-10-31',
      changed: 1,
      changed_share: 1 / 7600,
      transitions: [base.transitions[1]].map((t) => ({ ...t, count: 1 })),
    };
    expect(impactHeadline(old, TODAY)).toBe(
      '1 of the 7,600 cases classified from 2026-10-01 to 2026-10-31 in every category (< 0.1 %) would change level: 1 low → medium.',
    );
  });

  it('shows the transitions as a from × to table, and the cases near a new cut-off', () => {
    render(<ImpactSummary impact={base} />);
    const table = screen.getByRole('table');
    const header = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(header).toEqual(['from \\ to', 'medium', 'high']);
    const medium = within(table).getByRole('row', { name: /^medium/ });
    expect(
      within(medium)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['–', '280']);
    const low = within(table).getByRole('row', { name: /^low/ });
    expect(
      within(low)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['32', '–']);
    screen.getByText('Near the high cut-off at 70: 4 cases within 1 point below, 1 case within 1 point above.');
  });
});
