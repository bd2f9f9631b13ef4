import { useId, useState, type FormEvent } from 'react';
import { api, data } from '../api';
import { BandBar } from '../components/BandBar';
import { ErrorNotice } from '../components/ErrorNotice';
import { CategorySelect, TextField, type Category } from '../components/Fields';

interface Answer {
  score: number;
  level: string;
  source: string;
  thresholdName?: string;
  thresholdVersion?: number;
  bands: { low: number; medium: number; high: number; critical: number };
  reason: string;
}

/** Score and keys in; the level out, with the threshold that decided and why (classify + match). */
export function Classify() {
  const id = useId();
  const [score, setScore] = useState('');
  const [category, setCategory] = useState<Category>('financial');
  const [industry, setIndustry] = useState('');
  const [businessType, setBusinessType] = useState('');
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const keys = {
        category,
        ...(industry.trim() ? { industry_code: industry.trim() } : {}),
        ...(businessType.trim() ? { business_type: businessType.trim() } : {}),
      };
      const classified = await data(api.POST('/v1/risk/classify', { body: { score: Number(score), ...keys } }));
      const match = await data(api.GET('/v1/risk/thresholds/match', { params: { query: keys } }));
      setAnswer({
        score: classified.score,
        level: classified.level,
        source: classified.source,
        thresholdName: match.threshold?.name,
        thresholdVersion: classified.threshold_version ?? undefined,
        bands: classified.risk_levels,
        reason: match.reason,
      });
    } catch (failure) {
      setAnswer(undefined);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main">
      <h1>Classify a score</h1>
      <form onSubmit={(event) => void submit(event)} className="filters">
        <div>
          <label htmlFor={`${id}-score`}>Score (0–100)</label>
          <input
            id={`${id}-score`}
            type="number"
            inputMode="decimal"
            min={0}
            max={100}
            step="any"
            required
            value={score}
            onChange={(e) => setScore(e.target.value)}
          />
        </div>
        <CategorySelect id={`${id}-category`} value={category} onChange={(v) => setCategory(v || 'financial')} />
        <TextField id={`${id}-industry`} label="Industry code" value={industry} onChange={setIndustry} />
        <TextField id={`${id}-type`} label="Business type" value={businessType} onChange={setBusinessType} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Classifying…' : 'Classify'}
          </button>
        </div>
      </form>
      <ErrorNotice error={error} />
      <section aria-live="polite" aria-label="Result">
        {answer ? (
          <div className="result">
            <p className="level-line">
              Score {answer.score} is <strong className={`badge level-${answer.level}`}>{answer.level}</strong>
            </p>
            <BandBar bands={answer.bands} score={answer.score} large />
            <p>
              {answer.source === 'builtin'
                ? 'No threshold applies: the built-in bands decided.'
                : `Decided by ${answer.thresholdName ?? 'a threshold'}${answer.thresholdVersion ? ` (version ${answer.thresholdVersion})` : ''}.`}
            </p>
            <p className="muted">Why: {answer.reason}</p>
          </div>
        ) : null}
      </section>
    </main>
  );
}
