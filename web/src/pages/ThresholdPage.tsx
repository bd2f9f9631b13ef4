import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, data, type Threshold } from '../api';
import { BandBar, LevelLegend } from '../components/BandBar';
import { ErrorNotice } from '../components/ErrorNotice';
import { When } from '../components/When';
import { DraftNotice, ReasonField, reasonTooShort } from '../components/ReasonField';
import { Link } from '../router';
import { atLeast, useSession } from '../session';

type HistoryEntry = Awaited<ReturnType<typeof loadHistory>>[number];

async function loadHistory(id: string) {
  return (await data(api.GET('/v1/admin/risk/thresholds/{id}/history', { params: { path: { id } } }))).history;
}

/** Which cases a threshold applies to, in words. */
export function appliesTo(
  t: Pick<Threshold, 'category' | 'industry_code' | 'business_type' | 'priority' | 'is_default'>,
): string {
  if (t.is_default)
    return `Applies to ${t.category} cases that no more specific threshold matches (the category's default).`;
  const industry = t.industry_code ? `whose industry code starts with ${t.industry_code}` : 'of any industry';
  const type = t.business_type ? `business type "${t.business_type}"` : 'any business type';
  return `Applies to ${t.category} cases ${industry}, ${type}; priority ${t.priority}.`;
}

/**
 * One history entry's changes in words: `high 75 → 70` for bands, `name: A → B` for the rest; a
 * create lists what it was created with (empty fields left out).
 */
export function changeLines(changes: Record<string, { from: unknown; to: unknown }>): string[] {
  const show = (v: unknown): string =>
    v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const LEVELS = ['low', 'medium', 'high', 'critical'];
  return Object.entries(changes).flatMap(([field, { from, to }]) => {
    const name = field.replace(/_/g, ' ');
    if (field === 'risk_levels' && to && typeof to === 'object') {
      const b = to as Record<string, number>;
      if (!from || typeof from !== 'object') return [`bands ${LEVELS.map((l) => b[l]).join(' / ')}`];
      const a = from as Record<string, number>;
      return LEVELS.filter((l) => a[l] !== b[l]).map((l) => `${l} ${a[l]} → ${b[l]}`);
    }
    if (from === null || from === undefined) return to === null || to === undefined ? [] : [`${name}: ${show(to)}`];
    return [`${name}: ${show(from)} → ${show(to)}`];
  });
}

/** Proposes bringing a past version back: a draft change request, never a direct write. */
function RestoreForm({
  id,
  version,
  onDone,
}: {
  id: string;
  version: number;
  onDone: (changeRequest: string) => void;
}) {
  const field = useId();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const restore = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/admin/risk/thresholds/{id}/restore', {
          params: { path: { id } },
          body: { version, reason: reason.trim() },
        }),
      ),
    onSuccess: (created) => onDone(created.id),
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setTried(true);
    if (!restore.isPending && !reasonTooShort(reason)) restore.mutate();
  };
  return (
    <form onSubmit={submit} className="stack restore" noValidate>
      <ReasonField
        id={field}
        label={`Why bring version ${version} back?`}
        value={reason}
        onChange={setReason}
        tried={tried}
        hint="The reviewer reads it before approving, and auditors later."
      />
      <DraftNotice />
      <button type="submit" className="primary" aria-disabled={restore.isPending}>
        Propose restoring version {version}
      </button>
      <ErrorNotice error={restore.error} />
    </form>
  );
}

function Timeline({ id, current }: { id: string; current: number }) {
  const history = useQuery({ queryKey: ['history', id], queryFn: () => loadHistory(id) });
  const [restoring, setRestoring] = useState<number>();
  const [proposed, setProposed] = useState<{ version: number; changeRequest: string }>();
  if (history.error) return <ErrorNotice error={history.error} onRetry={() => void history.refetch()} />;
  if (history.isPending) return <p className="muted">Loading the history…</p>;
  const entries: HistoryEntry[] = [...history.data].sort((a, b) => b.version - a.version);
  // "Restore this version…": asks why, then shows the draft it proposed.
  const restoreOf = (version: number) =>
    proposed?.version === version ? (
      <p role="status" className="notice">
        Draft change request <Link to={`/change-requests/${proposed.changeRequest}`}>{proposed.changeRequest}</Link>{' '}
        proposes version {version}. Open it to submit it for review when ready.
      </p>
    ) : restoring === version ? (
      <RestoreForm
        id={id}
        version={version}
        onDone={(changeRequest) => {
          setRestoring(undefined);
          setProposed({ version, changeRequest });
        }}
      />
    ) : (
      <button type="button" onClick={() => setRestoring(version)}>
        Restore this version…
      </button>
    );
  return (
    <ol className="timeline" aria-label="History, newest first">
      {entries.map((entry) => {
        return (
          <li key={entry.version}>
            <p>
              <strong>Version {entry.version}</strong> · {entry.action} by {entry.actor} · <When iso={entry.at} />
            </p>
            {entry.change_request_id ? (
              <p className="muted">
                <Link to={`/change-requests/${entry.change_request_id}`}>Change request {entry.change_request_id}</Link>
                {entry.approvers?.length ? `, approved by ${entry.approvers.join(', ')}` : ''}
              </p>
            ) : null}
            <ul className="changes">
              {changeLines(entry.changes).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            {entry.version !== current && entry.action !== 'delete' ? restoreOf(entry.version) : null}
          </li>
        );
      })}
      {/* A threshold as first stored (seeded, or imported) has no trail entry for its first version. */}
      {entries.some((e) => e.version === 1) ? null : (
        <li>
          <p>
            <strong>Version 1</strong> · as first stored (before any recorded change)
          </p>
          {current > 1 ? restoreOf(1) : <p className="muted">No change has been recorded yet.</p>}
        </li>
      )}
    </ol>
  );
}

/** A threshold: its bands, where it applies, and (editors) its history with "restore this version". */
export function ThresholdPage({ id }: { id: string }) {
  const { session } = useSession();
  const editor = atLeast(session, 'editor');
  const threshold = useQuery({
    queryKey: ['threshold', id, editor],
    queryFn: () =>
      editor
        ? data(api.GET('/v1/admin/risk/thresholds/{id}', { params: { path: { id } } }))
        : data(api.GET('/v1/risk/thresholds/{id}', { params: { path: { id } } })),
  });
  const t = threshold.data;
  return (
    <main id="main" className="threshold-page">
      <h1 tabIndex={-1}>{t ? t.name : 'Threshold'}</h1>
      <ErrorNotice error={threshold.error} onRetry={() => void threshold.refetch()} />
      {t ? (
        <div className="columns">
          <section aria-label="Bands and matching">
            <p>{appliesTo(t)}</p>
            {t.is_active ? null : <p className="tag">inactive</p>}
            <BandBar bands={t.risk_levels} large />
            <LevelLegend />
            {editor ? (
              <p>
                <Link to={`/thresholds/${t.id}/edit`} className="button">
                  Edit the bands…
                </Link>
              </p>
            ) : null}
            <p className="muted">
              Version {t.version}, last changed by {t.last_modified_by}, <When iso={t.updated_at} />.
            </p>
          </section>
          <section aria-label="History">
            <h2>History</h2>
            {editor ? (
              <Timeline id={id} current={t.version} />
            ) : (
              <p className="muted">The history is shown to editors.</p>
            )}
          </section>
        </div>
      ) : threshold.isPending ? (
        <p className="muted">Loading…</p>
      ) : null}
    </main>
  );
}
