import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BandBar, cutLabels, describeBands, segments } from './BandBar';

describe('the band bar', () => {
  it('splits 0-100 into the five levels at the cut-offs', () => {
    expect(segments({ low: 25, medium: 50, high: 75, critical: 90 })).toEqual([
      { level: 'minimal', from: 0, to: 25 },
      { level: 'low', from: 25, to: 50 },
      { level: 'medium', from: 50, to: 75 },
      { level: 'high', from: 75, to: 90 },
      { level: 'critical', from: 90, to: 100 },
    ]);
  });

  it('leaves out a level with no width (a cut-off at 0 or 100)', () => {
    expect(segments({ low: 0, medium: 10, high: 20, critical: 100 }).map((s) => s.level)).toEqual([
      'low',
      'medium',
      'high',
    ]);
  });

  it('is an image with a title in words, and prints the cut-offs as text', () => {
    const bands = { low: 30, medium: 55, high: 80, critical: 90 };
    const { container } = render(<BandBar bands={bands} score={62} />);
    const image = screen.getByRole('img');
    expect(image.querySelector('title')?.textContent).toBe(`Bands: ${describeBands(bands)}; score 62`);
    const rects = [...container.querySelectorAll('rect')];
    expect(rects.map((r) => [r.getAttribute('class'), r.getAttribute('x'), r.getAttribute('width')])).toEqual([
      ['level-minimal', '0', '30'],
      ['level-low', '30', '25'],
      ['level-medium', '55', '25'],
      ['level-high', '80', '10'],
      ['level-critical', '90', '10'],
      ['score-mark', '61.7', '0.6'],
    ]);
    expect([...container.querySelectorAll('.cuts span')].map((s) => s.textContent)).toEqual(['30', '55', '80', '90']);
  });

  it('puts cut-off labels closer than 7 points on a second line, and keeps the ends inside the bar', () => {
    expect(cutLabels({ low: 1, medium: 2, high: 3, critical: 99 })).toEqual([
      { cut: 1, row: 0, anchor: 'start' },
      { cut: 2, row: 1, anchor: 'start' },
      { cut: 3, row: 0, anchor: 'middle' },
      { cut: 99, row: 0, anchor: 'end' },
    ]);
    expect(cutLabels({ low: 25, medium: 50, high: 75, critical: 90 }).map((l) => l.row)).toEqual([0, 0, 0, 0]);
  });
});
