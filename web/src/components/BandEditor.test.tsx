import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBands, limitsOf, moveHandle, typedOf, type TypedBands } from '../rules';
import type { Bands } from './BandBar';
import { BandEditor } from './BandEditor';

afterEach(cleanup);

const BANDS: Bands = { low: 25, medium: 50, high: 75, critical: 90 };

/** The editor as a page holds it: what is typed, checked by the server's rules, the last valid bands drawn. */
function Harness({ start = BANDS }: { start?: Bands }) {
  const [typed, setTyped] = useState<TypedBands>(typedOf(start));
  const [last, setLast] = useState(start);
  const checked = checkBands(typed);
  const bands = 'bands' in checked ? checked.bands : last;
  return (
    <BandEditor
      idPrefix="t"
      bands={bands}
      typed={typed}
      errors={'errors' in checked ? checked.errors : {}}
      onBands={(next) => {
        setLast(next);
        setTyped(typedOf(next));
      }}
      onTyped={setTyped}
    />
  );
}

describe("the band editor's validation (the server's own rules)", () => {
  it('accepts ascending bands within 0-100, decimals and a decimal comma included', () => {
    expect(checkBands(typedOf(BANDS))).toEqual({ bands: BANDS });
    expect(checkBands({ low: '25', medium: '50,5', high: '75.25', critical: '100' })).toEqual({
      bands: { low: 25, medium: 50.5, high: 75.25, critical: 100 },
    });
  });

  it('refuses what the API refuses, in its words, on the input that is wrong', () => {
    expect(checkBands({ low: '25', medium: '50', high: '95', critical: '90' })).toEqual({
      errors: { critical: 'must be greater than high (95)' },
    });
    expect(checkBands({ low: '', medium: '50', high: 'abc', critical: '101' })).toEqual({
      errors: { low: 'is required', high: 'must be a number like 55 or 55.5', critical: 'must be at most 100' },
    });
    expect(checkBands({ low: '-1', medium: '50', high: '75', critical: '90' })).toEqual({
      errors: { low: 'must be at least 0' },
    });
    // Plain decimals only: what nobody writes for a cut-off is refused, not read.
    expect(checkBands({ low: '1e-301', medium: '0x10', high: '75', critical: 'Infinity' })).toEqual({
      errors: {
        low: 'must be a number like 55 or 55.5',
        medium: 'must be a number like 55 or 55.5',
        critical: 'must be a number like 55 or 55.5',
      },
    });
  });

  it('marks an invalid input and says why beside it, keeping the last valid bands on the bar', () => {
    render(<Harness />);
    fireEvent.change(screen.getByLabelText('High from'), { target: { value: '95' } });
    const critical = screen.getByLabelText('Critical from');
    expect(critical.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(critical.getAttribute('aria-describedby')!)!.textContent).toBe(
      'critical must be greater than high (95)',
    );
    expect(screen.getByRole('slider', { name: 'high cut-off' }).getAttribute('aria-valuenow')).toBe('75');
    fireEvent.change(screen.getByLabelText('High from'), { target: { value: '80' } });
    expect(critical.getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByRole('slider', { name: 'high cut-off' }).getAttribute('aria-valuenow')).toBe('80');
  });
});

describe("the band editor's handles by keyboard", () => {
  it('←/→ move by 1, Shift by 5, PageUp/PageDown by 10; other keys do nothing', () => {
    expect(moveHandle(BANDS, 'high', 'ArrowLeft')).toEqual({ ...BANDS, high: 74 });
    expect(moveHandle(BANDS, 'high', 'ArrowRight')).toEqual({ ...BANDS, high: 76 });
    expect(moveHandle(BANDS, 'high', 'ArrowLeft', true)).toEqual({ ...BANDS, high: 70 });
    expect(moveHandle(BANDS, 'high', 'PageDown')).toEqual({ ...BANDS, high: 65 });
    expect(moveHandle(BANDS, 'high', 'a')).toBeUndefined();
  });

  it('stop at the neighbour: handles never cross or touch; Home/End go to the limits', () => {
    expect(moveHandle(BANDS, 'high', 'Home')).toEqual({ ...BANDS, high: 51 });
    expect(moveHandle(BANDS, 'high', 'End')).toEqual({ ...BANDS, high: 89 });
    expect(moveHandle({ ...BANDS, high: 88 }, 'high', 'ArrowRight', true)).toEqual({ ...BANDS, high: 89 });
    expect(moveHandle(BANDS, 'low', 'Home')).toEqual({ ...BANDS, low: 0 });
    expect(moveHandle(BANDS, 'critical', 'End')).toEqual({ ...BANDS, critical: 100 });
    expect(moveHandle({ low: 25, medium: 50, high: 51, critical: 52 }, 'high', 'ArrowLeft')).toEqual({
      low: 25,
      medium: 50,
      high: 51,
      critical: 52,
    });
    expect(limitsOf({ low: 25, medium: 50.5, high: 75, critical: 90 }, 'high')).toEqual({ min: 51, max: 89 });
  });

  it('a decimal value steps to the next whole number', () => {
    expect(moveHandle({ ...BANDS, high: 72.5 }, 'high', 'ArrowRight')).toEqual({ ...BANDS, high: 73 });
    expect(moveHandle({ ...BANDS, high: 72.5 }, 'high', 'ArrowLeft')).toEqual({ ...BANDS, high: 72 });
  });

  it('keys on a focused handle move it and the typed value follows', () => {
    render(<Harness />);
    const high = screen.getByRole('slider', { name: 'high cut-off' });
    fireEvent.keyDown(high, { key: 'ArrowLeft', shiftKey: true });
    expect(high.getAttribute('aria-valuenow')).toBe('70');
    expect((screen.getByLabelText('High from') as HTMLInputElement).value).toBe('70');
    fireEvent.keyDown(high, { key: 'Home' });
    expect(high.getAttribute('aria-valuenow')).toBe('51');
    expect(high.getAttribute('aria-valuemin')).toBe('51');
    expect(high.getAttribute('aria-valuemax')).toBe('89');
    fireEvent.keyDown(high, { key: 'ArrowLeft' });
    expect(high.getAttribute('aria-valuenow')).toBe('51');
  });
});
