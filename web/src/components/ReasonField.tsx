/** The least a reason may hold (the API's rule for change requests and restores). */
export const REASON_MIN = 10;

/** Characters as the API counts them (code points: an emoji is one). */
const characters = (text: string): number => [...text.trim()].length;

export const reasonTooShort = (reason: string): boolean => characters(reason) < REASON_MIN;

/**
 * The reason for a change: required, at least 10 characters, explained (reviewers and auditors read
 * it). Once the person tried to send it short, it says so beside the field, with the count so far.
 */
export function ReasonField({
  id,
  label = 'Reason (required)',
  value,
  onChange,
  hint,
  tried,
  rows = 3,
}: {
  id: string;
  label?: string;
  value: string;
  onChange: (value: string) => void;
  hint: string;
  tried: boolean;
  rows?: number;
}) {
  const length = characters(value);
  const problem = tried && length < REASON_MIN;
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        maxLength={2000}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ''}`}
        required
      />
      <p id={`${id}-hint`} className="muted">
        {hint} At least {REASON_MIN} characters{length > 0 && length < REASON_MIN ? ` (${length} so far)` : ''}.
      </p>
      {problem ? (
        <p id={`${id}-problem`} className="field-problem" role="alert">
          Write the reason first: at least {REASON_MIN} characters{length ? `, ${length} so far` : ''}.
        </p>
      ) : null}
    </div>
  );
}

/** What saving a proposal does, said before it happens: a draft, nothing changes yet. */
export function DraftNotice({ holding = '' }: { holding?: string }) {
  return (
    <p className="muted">
      This saves a draft change request{holding}. Nothing changes until it is submitted, approved by someone else (where
      this service requires approvals) and applied.
    </p>
  );
}
