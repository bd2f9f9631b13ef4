import { useId, useState, type FormEvent } from 'react';
import { api, data, type Level } from '../api';
import { BandBar, LevelLegend } from '../components/BandBar';
import { ErrorNotice } from '../components/ErrorNotice';
import { CategorySelect, TextField, type Category } from '../components/Fields';
import { Link } from '../router';

interface Keys {
  category: Category;
  industry_code?: string;
  business_type?: string;
}

interface Answer {
  score: number;
  keys: Keys;
  level: Level;
  source: string;
  thresholdName?: string;
  thresholdId?: string;
  thresholdVersion?: number;
  bands: { low: number; medium: number; high: number; critical: number };
  /** Why it matched, in words; undefined when the explanation could not be had. */
  reason?: string;
}

/**
 * A score as typed: digits with a decimal point, or a decimal comma before one or two digits ("55.5",
 * "55,5"), 0 to 100; anything else (a thousands separator, a sign, letters) is refused rather than guessed.
 */
export function parseScore(text: string): number | string {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter a score from 0 to 100.';
  // A comma is a decimal comma only before one or two digits: "1,000" could be a thousand.
  if (!/^\d+(\.\d+|,\d{1,2})?$/.test(trimmed)) return 'A score is a number from 0 to 100, like 55 or 55.5.';
  const score = Number(trimmed.replace(',', '.'));
  return score <= 100 ? score : 'A score is at most 100.';
}

/** The API's match explanation in an analyst's words. */
export function inWords(reason: string): string {
  return reason
    .replace(/industry_code prefix '([^']*)'/g, 'industry code starts with $1')
    .replace(/any industry_code/g, 'any industry code')
    .replace(/business_type '([^']*)'/g, 'business type "$1"')
    .replace(/any business_type/g, 'any business type')
    .replace(/category '([^']*)'/g, '$1');
}

/** Score and keys in; the level out, with the threshold that decided and why (classify + match). */
export function Classify() {
  const id = useId();
  const [score, setScore] = useState('');
  const [category, setCategory] = useState<Category>('financial');
  const [industry, setIndustry] = useState('');
  const [businessType, setBusinessType] = useState('');
  const [answer, setAnswer] = useState<Answer>();
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Any change to the inputs makes the answer shown one for other inputs: it goes.
  const changed =
    <T,>(set: (value: T) => void) =>
    (value: T): void => {
      set(value);
      setAnswer(undefined);
    };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    const parsed = parseScore(score);
    setAnswer(undefined);
    setError(undefined);
    if (typeof parsed === 'string') {
      setProblem(parsed);
      return;
    }
    setProblem(undefined);
    setBusy(true);
    const keys: Keys = {
      category,
      ...(industry.trim() ? { industry_code: industry.trim() } : {}),
      ...(businessType.trim() ? { business_type: businessType.trim() } : {}),
    };
    try {
      const classified = await data(api.POST('/v1/risk/classify', { body: { score: parsed, ...keys } }));
      let reason: string | undefined;
      let thresholdName: string | undefined;
      try {
        const match = await data(api.GET('/v1/risk/thresholds/match', { params: { query: keys } }));
        // Both answers describe the same threshold, unless a change landed between them.
        if ((match.threshold?.id ?? null) === (classified.threshold_id ?? null)) {
          reason = inWords(match.reason);
          thresholdName = match.threshold?.name;
        }
      } catch {
        // The level stands; only its explanation is missing.
      }
      setAnswer({
        score: classified.score,
        keys,
        level: classified.level as Level,
        source: classified.source,
        thresholdName,
        thresholdId: classified.threshold_id ?? undefined,
        thresholdVersion: classified.threshold_version ?? undefined,
        bands: classified.risk_levels,
        reason,
      });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main">
      <h1 tabIndex={-1}>Classify a score</h1>
      <form onSubmit={(event) => void submit(event)} className="filters" noValidate>
        <div>
          <label htmlFor={`${id}-score`}>Score (0–100)</label>
          <input
            id={`${id}-score`}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            value={score}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-score-problem` : undefined}
            onChange={(e) => changed(setScore)(e.target.value)}
          />
          {problem ? (
            <p id={`${id}-score-problem`} className="field-problem">
              {problem}
            </p>
          ) : null}
        </div>
        <CategorySelect
          id={`${id}-category`}
          value={category}
          onChange={(v) => changed(setCategory)(v || 'financial')}
        />
        <TextField id={`${id}-industry`} label="Industry code" value={industry} onChange={changed(setIndustry)} />
        <TextField id={`${id}-type`} label="Business type" value={businessType} onChange={changed(setBusinessType)} />
        <div className="actions">
          <button type="submit" className="primary" aria-disabled={busy}>
            {busy ? 'Classifying…' : 'Classify'}
          </button>
        </div>
      </form>
      <ErrorNotice error={error} />
      <section aria-live="polite" aria-label="Result">
        {answer ? (
          <div className="result">
            <p className="muted">
              {answer.keys.category} ·{' '}
              {answer.keys.industry_code ? `industry ${answer.keys.industry_code}` : 'any industry'} ·{' '}
              {answer.keys.business_type ? `business type "${answer.keys.business_type}"` : 'any business type'}
            </p>
            <p className="level-line">
              Score {answer.score} is <strong className={`badge level-${answer.level}`}>{answer.level}</strong>
            </p>
            <BandBar bands={answer.bands} score={answer.score} large />
            <LevelLegend />
            <p>
              {answer.source === 'builtin' || !answer.thresholdId ? (
                'No threshold applies: the built-in bands (25 / 50 / 75 / 90) decided.'
              ) : (
                <>
                  Decided by{' '}
                  <Link to={`/thresholds/${answer.thresholdId}`}>{answer.thresholdName ?? 'a threshold'}</Link>
                  {answer.thresholdVersion ? ` (version ${answer.thresholdVersion})` : ''}.
                </>
              )}
            </p>
            <p className="muted">
              {answer.reason
                ? `Why: ${answer.reason}.`
                : 'Why: the explanation could not be had (the thresholds may have changed meanwhile: classify again).'}
            </p>
          </div>
        ) : null}
      </section>
    </main>
  );
}
