import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, data, type Threshold } from '../api';
import { BandBar, LevelLegend, type Bands } from '../components/BandBar';
import { BandEditor } from '../components/BandEditor';
import { ErrorNotice } from '../components/ErrorNotice';
import { Histogram } from '../components/Histogram';
import { ImpactSummary } from '../components/ImpactSummary';
import { DraftNotice, ReasonField, reasonTooShort } from '../components/ReasonField';
import { Link, useRouter } from '../router';
import { BOUNDS, checkBands, showNumber, typedOf, type TypedBands } from '../rules';
import { useSettled } from '../settled';
import { appliesTo } from './ThresholdPage';

/** The bands' changes in words: "high 75 → 70, critical 90 → 92". */
export const bandChanges = (from: Bands, to: Bands): string =>
  BOUNDS.filter((k) => from[k] !== to[k])
    .map((k) => `${k} ${showNumber(from[k])} → ${showNumber(to[k])}`)
    .join(', ');

/** The item a change of bands is, for the impact endpoint and the change request alike. */
const itemOf = (t: Threshold, bands: Bands) => ({
  op: 'update' as const,
  threshold_id: t.id,
  base_version: t.version,
  threshold: { risk_levels: bands },
});

function SaveForm({ t, bands, onSaved }: { t: Threshold; bands: Bands | undefined; onSaved: (id: string) => void }) {
  const ids = useId();
  // The title follows the bands until the person writes their own.
  const [written, setWritten] = useState<string>();
  const title = written ?? `${t.name}: ${bandChanges(t.risk_levels, bands ?? t.risk_levels)}`.slice(0, 200);
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const save = useMutation({
    mutationFn: (proposed: Bands) =>
      data(
        api.POST('/v1/admin/risk/change-requests', {
          body: { title: title.trim(), reason: reason.trim(), items: [itemOf(t, proposed)] },
        }),
      ),
    onSuccess: (created) => onSaved(created.id),
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setTried(true);
    if (!save.isPending && bands && !reasonTooShort(reason) && title.trim() !== '') save.mutate(bands);
  };
  return (
    <form className="stack save" onSubmit={submit} aria-label="Save as change request" noValidate>
      <div>
        <label htmlFor={`${ids}-title`}>Title</label>
        <input
          id={`${ids}-title`}
          value={title}
          onChange={(e) => setWritten(e.target.value)}
          maxLength={200}
          aria-invalid={tried && title.trim() === '' ? true : undefined}
          required
        />
        {tried && title.trim() === '' ? <p className="field-problem">Give the change a title.</p> : null}
      </div>
      <ReasonField
        id={`${ids}-reason`}
        rows={4}
        value={reason}
        onChange={setReason}
        tried={tried}
        hint="Why the bands change: the reviewer reads it before approving, and auditors read it later."
      />
      <DraftNotice />
      {bands ? null : (
        <p className="field-problem" role="status">
          The bands above are not valid, or not changed: fix them to save.
        </p>
      )}
      <button type="submit" className="primary" aria-disabled={save.isPending || !bands}>
        Save as change request
      </button>
      <ErrorNotice error={save.error} />
    </form>
  );
}

/** Editing a threshold's bands: the bar with handles, the distribution, the live impact, saved as a change request. */
export function EditBands({ id }: { id: string }) {
  const { navigate } = useRouter();
  const ids = useId();
  const threshold = useQuery({
    queryKey: ['threshold', id, true],
    queryFn: () => data(api.GET('/v1/admin/risk/thresholds/{id}', { params: { path: { id } } })),
  });
  const t = threshold.data;
  const [typed, setTyped] = useState<TypedBands>();
  const [lastValid, setLastValid] = useState<Bands>();
  useEffect(() => {
    if (t && typed === undefined) {
      setTyped(typedOf(t.risk_levels));
      setLastValid(t.risk_levels);
    }
  }, [t, typed]);
  const checked = typed ? checkBands(typed) : undefined;
  const valid = checked && 'bands' in checked ? checked.bands : undefined;
  const bands = valid ?? lastValid ?? t?.risk_levels;
  useEffect(() => {
    if (valid) setLastValid(valid);
  }, [JSON.stringify(valid)]); // eslint-disable-line react-hooks/exhaustive-deps
  const changed = t !== undefined && valid !== undefined && bandChanges(t.risk_levels, valid) !== '';
  const weighed = useSettled<Bands | undefined>(changed ? valid : undefined, 300);
  const distribution = useQuery({
    enabled: t !== undefined,
    queryKey: ['distribution', t?.category, t?.industry_code, t?.business_type],
    queryFn: () =>
      data(
        api.GET('/v1/admin/risk/score-distribution', {
          params: {
            query: {
              category: t!.category,
              ...(t!.industry_code ? { industry_code: t!.industry_code } : {}),
              ...(t!.business_type ? { business_type: t!.business_type } : {}),
            },
          },
        }),
      ),
  });
  const impact = useQuery({
    enabled: t !== undefined && weighed !== undefined,
    queryKey: ['impact', id, t?.version, weighed],
    queryFn: () => data(api.POST('/v1/admin/risk/impact', { body: { items: [itemOf(t!, weighed!)] } })),
    placeholderData: (previous) => previous,
  });
  const [saving, setSaving] = useState(false);
  return (
    <main id="main" className="editor-page">
      <h1 tabIndex={-1}>{t ? `Edit the bands of ${t.name}` : 'Edit bands'}</h1>
      <ErrorNotice error={threshold.error} onRetry={() => void threshold.refetch()} />
      {t && typed && bands && checked ? (
        <>
          <p>
            {appliesTo(t)} Version {t.version}. <Link to={`/thresholds/${t.id}`}>Back to the threshold</Link>
          </p>
          <section aria-labelledby={`${ids}-now`}>
            <h2 id={`${ids}-now`}>Now</h2>
            <div className="scale">
              <BandBar bands={t.risk_levels} />
            </div>
          </section>
          <section aria-labelledby={`${ids}-proposed`}>
            <h2 id={`${ids}-proposed`}>Proposed</h2>
            <div className="scale">
              <BandEditor
                idPrefix={ids}
                bands={bands}
                typed={typed}
                errors={'errors' in checked ? checked.errors : {}}
                onBands={(next) => setTyped(typedOf(next))}
                onTyped={setTyped}
              />
            </div>
            <LevelLegend />
            <p className="muted" aria-live="polite">
              {'errors' in checked
                ? 'The bands as typed are not valid yet: the bar shows the last valid ones.'
                : changed
                  ? `Proposed: ${bandChanges(t.risk_levels, valid!)}.`
                  : 'No change yet: move a handle or type a value.'}
            </p>
          </section>
          <section aria-labelledby={`${ids}-dist`}>
            <h2 id={`${ids}-dist`}>Scores of the last 30 days under these keys</h2>
            <p className="muted">
              Every case classified with {t.is_default ? `category ${t.category}` : 'these keys'}
              {t.industry_code ? ` (industry codes starting with ${t.industry_code})` : ''}, including cases a more
              specific threshold decides: coloured by the proposed bands, so they show where scores fall, not what this
              threshold decides. The impact below counts exactly the cases whose level would change.
            </p>
            <ErrorNotice error={distribution.error} onRetry={() => void distribution.refetch()} />
            {distribution.data ? (
              <div className="scale">
                <Histogram distribution={distribution.data} current={t.risk_levels} proposed={bands} />
              </div>
            ) : distribution.isPending ? (
              <div className="skeleton histogram-skeleton" aria-hidden="true" />
            ) : null}
          </section>
          <section aria-labelledby={`${ids}-impact`} aria-live="polite" aria-busy={impact.isFetching}>
            <h2 id={`${ids}-impact`}>Impact</h2>
            {'errors' in checked ? (
              <p className="muted">The bands as typed are not valid: fix them above to weigh the change.</p>
            ) : !changed ? (
              <p className="muted">The impact of the change shows here once a cut-off moves.</p>
            ) : (
              <>
                <ErrorNotice error={impact.error} />
                {impact.data && weighed ? (
                  <div
                    className={
                      impact.isFetching || JSON.stringify(weighed) !== JSON.stringify(valid) ? 'updating' : undefined
                    }
                  >
                    <ImpactSummary
                      impact={impact.data}
                      movedCutoffs={BOUNDS.filter((k) => t.risk_levels[k] !== weighed[k])}
                    />
                  </div>
                ) : (
                  <p className="muted">Weighing the change…</p>
                )}
              </>
            )}
          </section>
          {/* Once open, the form stays (with what was typed) while the bands are being retyped. */}
          {saving ? (
            <SaveForm t={t} bands={changed ? valid : undefined} onSaved={(cr) => navigate(`/change-requests/${cr}`)} />
          ) : changed ? (
            <button type="button" className="primary" onClick={() => setSaving(true)}>
              Save as change request…
            </button>
          ) : null}
        </>
      ) : threshold.isPending ? (
        <p className="muted">Loading…</p>
      ) : null}
    </main>
  );
}
