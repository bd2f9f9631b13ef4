import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ApiError, data, type Threshold } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { DraftNotice, ReasonField, reasonTooShort } from '../components/ReasonField';
import { Link, useRouter } from '../router';
import { differences, FIELDS } from './ChangeRequestPage';
import type { ChangeRequest } from './ChangeRequests';
import { changeLines } from './ThresholdPage';

type Mode = 'upsert' | 'replace';

/** One difference an import would make. */
export interface ImportDifference {
  op: 'create' | 'update' | 'delete';
  id: string | undefined;
  name: string;
  lines: string[];
  /** Said loudly: the file holds an older version than the stored one, so importing undoes what came since. */
  note?: string;
}

/** What the API fills in for a field an import item leaves out. */
const DEFAULTS = {
  description: null,
  industry_code: null,
  business_type: null,
  is_default: false,
  is_active: true,
  priority: 0,
  metadata: null,
};

const fieldsOf = (item: Record<string, unknown>) => {
  const withDefaults: Record<string, unknown> = { ...DEFAULTS, ...item };
  if (typeof withDefaults.name === 'string') withDefaults.name = withDefaults.name.trim();
  return Object.fromEntries(FIELDS.map((f) => [f, withDefaults[f]]));
};

/** The items of a file: the export's array, or `{"thresholds": [...]}`. */
export function itemsOf(file: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(file)
    ? file
    : file && typeof file === 'object' && Array.isArray((file as { thresholds?: unknown }).thresholds)
      ? (file as { thresholds: unknown[] }).thresholds
      : undefined;
  return list?.every((i) => i && typeof i === 'object' && !Array.isArray(i))
    ? (list as Record<string, unknown>[])
    : undefined;
}

/**
 * What importing `items` would do to `stored`, item by item, as the import plans it: an item whose id
 * is stored with other fields is an update (its differences), with identical fields unchanged
 * (left out), any other item a create; in replace mode what the file does not name is deleted.
 */
export function importDifferences(
  stored: readonly Threshold[],
  items: readonly Record<string, unknown>[],
  mode: Mode,
): { differences: ImportDifference[]; unchanged: number } {
  const byId = new Map(stored.map((t) => [t.id, t]));
  const named = new Set<string>();
  const out: ImportDifference[] = [];
  let unchanged = 0;
  for (const item of items) {
    const id = typeof item.id === 'string' ? item.id.toLowerCase() : undefined;
    if (id) named.add(id);
    const current = id ? byId.get(id) : undefined;
    const fields = fieldsOf(item);
    if (current) {
      const lines = changeLines(differences(fieldsOf(current as unknown as Record<string, unknown>), fields));
      const from = typeof item.version === 'number' ? item.version : undefined;
      const note =
        from !== undefined && from < current.version
          ? `The file holds version ${from}; the threshold is at version ${current.version} now: importing undoes what changed since.`
          : undefined;
      if (lines.length === 0) unchanged += 1;
      else out.push({ op: 'update', id, name: current.name, lines, ...(note ? { note } : {}) });
    } else {
      const created = Object.fromEntries(FIELDS.map((f) => [f, { from: null, to: fields[f] }]));
      out.push({ op: 'create', id, name: String(fields.name ?? '(no name)'), lines: changeLines(created) });
    }
  }
  if (mode === 'replace') {
    for (const t of stored) if (!named.has(t.id)) out.push({ op: 'delete', id: t.id, name: t.name, lines: [] });
  }
  return { differences: out, unchanged };
}

interface Checked {
  fileName: string;
  body: unknown;
  mode: Mode;
  counts: { created: number; updated: number; unchanged: number; deleted: number };
  differences: ImportDifference[];
  /** The version of each stored threshold the differences were read against. */
  versions: Map<string, number>;
  /** The category defaults a replace would delete, leaving their category with no active default. */
  defaultsDeleted: string[];
}

/** Whether a draft's items are exactly the differences shown: each threshold with the same action, based on the version read. */
export function sameAsChecked(
  items: readonly { op: string; threshold_id: string; base_version: number | null }[],
  checked: Pick<Checked, 'differences' | 'versions'>,
): boolean {
  if (items.length !== checked.differences.length) return false;
  const shown = new Map(checked.differences.filter((d) => d.id).map((d) => [d.id!, d.op]));
  const unnamed = checked.differences.filter((d) => !d.id).length;
  let unnamedInDraft = 0;
  for (const item of items) {
    const op = shown.get(item.threshold_id);
    if (op === undefined) {
      // A create under an id the file did not give (the file's item had none).
      if (item.op !== 'create') return false;
      unnamedInDraft += 1;
      continue;
    }
    if (op !== item.op) return false;
    if (item.op !== 'create' && checked.versions.get(item.threshold_id) !== item.base_version) return false;
  }
  return unnamedInDraft === unnamed;
}

/** At most this many items in one change request (the API's limit). */
const MOST_ITEMS = 1000;

async function checkFile(file: File, mode: Mode): Promise<Checked> {
  let body: unknown;
  try {
    body = JSON.parse(await file.text());
  } catch {
    throw new Error(`${file.name} is not JSON. Import a file exported from this page (or the API's export).`);
  }
  const items = itemsOf(body);
  if (!items) {
    throw new Error(`${file.name} holds no thresholds: it must be a list of thresholds, or {"thresholds": [...]}.`);
  }
  // The service checks the file (every rule, the one-default rule) and counts; the differences are
  // read against the thresholds as they are now.
  const counts = (await data(
    api.POST('/v1/admin/risk/threshold-import', {
      params: { query: { mode, dry_run: true } },
      body: body as never,
    }),
  )) as Checked['counts'];
  const stored = await data(api.GET('/v1/admin/risk/threshold-export'));
  const planned = importDifferences(stored, items, mode);
  const deleted = new Set(planned.differences.filter((d) => d.op === 'delete').map((d) => d.id));
  // A category keeps a default when the file holds an active one for it.
  const keptDefaults = new Set(
    items.filter((i) => i.is_default === true && i.is_active !== false).map((i) => String(i.category)),
  );
  return {
    fileName: file.name,
    body,
    mode,
    counts,
    ...planned,
    versions: new Map(stored.map((t) => [t.id, t.version])),
    defaultsDeleted: stored
      .filter((t) => t.is_default && t.is_active && deleted.has(t.id) && !keptDefaults.has(t.category))
      .map((t) => t.name),
  };
}

const OPS = { create: 'Create', update: 'Update', delete: 'Delete' } as const;

/** Thrown when the thresholds moved between the check and the proposal: the person checks again. */
class MovedSinceChecked extends Error {}

/** A draft that could not be withdrawn: the person is sent to it. */
class DraftLeftBehind extends Error {
  constructor(readonly id: string) {
    super(`A draft was left behind (change request ${id}): open it from Change requests, Mine, and cancel it.`);
  }
}

/** What the person wrote for the proposal: kept by the page, so a re-check does not lose it. */
interface Words {
  title: string;
  reason: string;
}

function Propose({
  checked,
  onMoved,
  words,
  onWords,
}: {
  checked: Checked;
  onMoved: () => void;
  words: Words;
  onWords: (words: Words) => void;
}) {
  const ids = useId();
  const { navigate } = useRouter();
  const { reason } = words;
  const title = words.title || `Import of ${checked.fileName}`.slice(0, 200);
  const setTitle = (value: string): void => onWords({ ...words, title: value });
  const setReason = (value: string): void => onWords({ ...words, reason: value });
  const [tried, setTried] = useState(false);
  const short = reasonTooShort(reason) || title.trim() === '';
  const propose = useMutation({
    mutationFn: async () => {
      const draft = (await data(
        api.POST('/v1/admin/risk/threshold-import', {
          params: { query: { mode: checked.mode, as_change_request: true } },
          body: checked.body as never,
        }),
      )) as ChangeRequest;
      // Our own fresh draft, withdrawn whatever its revision; if that fails, the person is told where it is.
      const discard = async (): Promise<void> => {
        const { response } = await api.POST('/v1/admin/risk/change-requests/{id}/cancel', {
          params: { path: { id: draft.id } },
        });
        if (!response.ok) throw new DraftLeftBehind(draft.id);
      };
      // The server plans the import again now: if a threshold moved (or went) since the check, its
      // draft is not what the person was shown. Then it is withdrawn and the file checked again.
      if (!sameAsChecked(draft.items, checked)) {
        await discard();
        throw new MovedSinceChecked();
      }
      try {
        // The import's draft carries a placeholder reason: the person's own replaces it.
        return await data(
          api.PATCH('/v1/admin/risk/change-requests/{id}', {
            params: { path: { id: draft.id }, header: { 'If-Match': `"${draft.revision}"` } },
            body: { title: title.trim(), reason: reason.trim() },
          }),
        );
      } catch (error) {
        // No draft left behind with the placeholder reason: the person tries again.
        await discard();
        throw error;
      }
    },
    onSuccess: (cr) => navigate(`/change-requests/${cr.id}`),
    onError: (error) => {
      if (error instanceof MovedSinceChecked) onMoved();
    },
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setTried(true);
    if (!propose.isPending && !short) propose.mutate();
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Propose as a change request" noValidate>
      <div>
        <label htmlFor={`${ids}-title`}>Title</label>
        <input id={`${ids}-title`} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} required />
        {tried && title.trim() === '' ? <p className="field-problem">Give the change a title.</p> : null}
      </div>
      <ReasonField
        id={`${ids}-reason`}
        value={reason}
        onChange={setReason}
        tried={tried}
        hint="Why these thresholds change: the reviewer reads it before approving."
      />
      <DraftNotice holding=" holding these differences" />
      <button type="submit" className="primary" aria-disabled={propose.isPending}>
        Propose as a change request
      </button>
      {propose.error instanceof DraftLeftBehind ? (
        <div role="alert" className="error">
          <p>{propose.error.message}</p>
        </div>
      ) : propose.error instanceof MovedSinceChecked ? null : (
        <ErrorNotice error={propose.error} />
      )}
    </form>
  );
}

/** Export every threshold; import a file: its dry run's differences, proposed as a change request. */
export function ImportExport() {
  const ids = useId();
  const [file, setFile] = useState<File>();
  const [mode, setMode] = useState<Mode>('upsert');
  const [words, setWords] = useState<Words>({ title: '', reason: '' });
  const check = useMutation({
    mutationFn: async (_why: { moved: boolean }) => checkFile(file!, mode),
  });
  const checked = check.data;
  const onCheck = (event: FormEvent): void => {
    event.preventDefault();
    if (file && !check.isPending) check.mutate({ moved: false });
  };
  const changes = checked ? checked.counts.created + checked.counts.updated + checked.counts.deleted : 0;
  return (
    <main id="main">
      <h1 tabIndex={-1}>Import and export</h1>
      <section aria-labelledby={`${ids}-export`}>
        <h2 id={`${ids}-export`}>Export</h2>
        <p>Every threshold, inactive ones included, as one JSON file: a backup, or a file to edit and import.</p>
        <a className="button" href="/v1/admin/risk/threshold-export" download="thresholds.json">
          Download every threshold (JSON)
        </a>
      </section>
      <section aria-labelledby={`${ids}-import`}>
        <h2 id={`${ids}-import`}>Import</h2>
        <form className="stack" onSubmit={onCheck}>
          <div>
            <label htmlFor={`${ids}-file`}>Threshold file (JSON)</label>
            <input
              id={`${ids}-file`}
              type="file"
              accept="application/json,.json"
              onChange={(e) => {
                setFile(e.target.files?.[0]);
                check.reset();
              }}
            />
          </div>
          <fieldset>
            <legend>Thresholds the file does not hold</legend>
            <label>
              <input
                type="radio"
                name="mode"
                checked={mode === 'upsert'}
                onChange={() => {
                  setMode('upsert');
                  check.reset();
                }}
              />{' '}
              keep them (create and update only)
            </label>
            <label>
              <input
                type="radio"
                name="mode"
                checked={mode === 'replace'}
                onChange={() => {
                  setMode('replace');
                  check.reset();
                }}
              />{' '}
              delete them (the file becomes the whole set)
            </label>
          </fieldset>
          <button type="submit" aria-disabled={!file || check.isPending}>
            Check the file
          </button>
          <p className="muted">Checking changes nothing: the service validates the file and says what it would do.</p>
        </form>
        {check.error ? (
          check.error instanceof ApiError ? (
            <ErrorNotice error={check.error} />
          ) : (
            <div role="alert" className="error">
              <p>{check.error.message}</p>
            </div>
          )
        ) : null}
        {checked ? (
          <section aria-labelledby={`${ids}-diff`} className="stack">
            <h3 id={`${ids}-diff`}>What importing {checked.fileName} would do</h3>
            {check.variables?.moved ? (
              <p className="warning">
                Thresholds changed since the file was checked: here is what it would do now. Nothing was proposed.
              </p>
            ) : null}
            <p role="status">
              {checked.counts.created} to create, {checked.counts.updated} to update, {checked.counts.deleted} to
              delete, {checked.counts.unchanged} unchanged.
            </p>
            {checked.differences.length ? (
              <ol className="items">
                {checked.differences.map((d, i) => (
                  <li key={i}>
                    <p>
                      <strong>{OPS[d.op]}</strong>{' '}
                      {d.op === 'create' || !d.id ? d.name : <Link to={`/thresholds/${d.id}`}>{d.name}</Link>}
                    </p>
                    {d.note ? <p className="warning">{d.note}</p> : null}
                    {d.lines.length ? (
                      <ul className="changes">
                        {d.lines.map((line) => (
                          <li key={line}>{line}</li>
                        ))}
                      </ul>
                    ) : null}
                  </li>
                ))}
              </ol>
            ) : null}
            {checked.counts.deleted > 0 ? (
              <p className="warning">
                This deletes {checked.counts.deleted} threshold{checked.counts.deleted === 1 ? '' : 's'}
                {checked.defaultsDeleted.length
                  ? `, among them the category default${checked.defaultsDeleted.length === 1 ? '' : 's'} ${checked.defaultsDeleted.join(', ')}: cases of ${checked.defaultsDeleted.length === 1 ? 'that category' : 'those categories'} no other threshold matches would get the built-in bands`
                  : ''}
                .
              </p>
            ) : null}
            {changes === 0 ? (
              <p>Nothing to propose: the file matches the thresholds as they are.</p>
            ) : changes > MOST_ITEMS ? (
              <p className="warning">
                {changes} changes: one change request holds at most {MOST_ITEMS}. Split the file and propose each part.
              </p>
            ) : (
              <Propose
                checked={checked}
                onMoved={() => check.mutate({ moved: true })}
                words={words}
                onWords={setWords}
              />
            )}
          </section>
        ) : null}
      </section>
    </main>
  );
}
