import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ReasonField, reasonTooShort } from './ReasonField';

afterEach(cleanup);

describe('the reason field', () => {
  it('counts what is written until it is long enough', () => {
    render(<ReasonField id="r" value="too short" onChange={() => undefined} hint="Why." tried={false} />);
    screen.getByText('Why. At least 10 characters (9 so far).');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(reasonTooShort(' too short ')).toBe(true);
    expect(reasonTooShort('long enough')).toBe(false);
  });

  it('says beside the field why nothing was sent, once the person tried', () => {
    render(<ReasonField id="r" value="short" onChange={() => undefined} hint="Why." tried />);
    expect(screen.getByRole('alert').textContent).toBe('Write the reason first: at least 10 characters, 5 so far.');
    expect(screen.getByLabelText('Reason (required)').getAttribute('aria-invalid')).toBe('true');
  });
});
