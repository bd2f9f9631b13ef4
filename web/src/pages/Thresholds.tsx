import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { api, data, type Threshold } from '../api';
import { BandBar, LevelLegend } from '../components/BandBar';
import { ErrorNotice } from '../components/ErrorNotice';
import { CategorySelect, TextField, type Category } from '../components/Fields';
import { Link } from '../router';
import { atLeast, useSession } from '../session';

/** Thresholds read at most, page by page (the list shows that it stopped there). */
const MOST = 2000;

interface Filters {
  category: Category | '';
  industry: string;
  businessType: string;
  activeOnly: boolean;
  search: string;
}

/** Every threshold matching the filters the API applies (editors see inactive ones too). */
async function loadThresholds(
  filters: Omit<Filters, 'search'>,
  editor: boolean,
): Promise<{ items: Threshold[]; more: boolean }> {
  const items: Threshold[] = [];
  let cursor: string | undefined;
  do {
    const query = {
      ...(filters.category ? { category: filters.category } : {}),
      ...(filters.industry.trim() ? { industry_code: filters.industry.trim() } : {}),
      ...(filters.businessType.trim() ? { business_type: filters.businessType.trim() } : {}),
      limit: 500,
      ...(cursor ? { cursor } : {}),
    };
    const page = editor
      ? await data(
          api.GET('/v1/admin/risk/thresholds', {
            params: { query: { ...query, ...(filters.activeOnly ? { is_active: true } : {}) } },
          }),
        )
      : await data(api.GET('/v1/risk/thresholds', { params: { query } }));
    items.push(...page.thresholds);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && items.length < MOST);
  return { items, more: cursor !== undefined };
}

const NO_FILTERS: Filters = { category: '', industry: '', businessType: '', activeOnly: true, search: '' };

export function Thresholds() {
  const { session } = useSession();
  const editor = atLeast(session, 'editor');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const { search, ...typed } = filters;
  // What the service filters on, asked once typing pauses (not at every key).
  const [apiFilters, setApiFilters] = useState(typed);
  const typedKey = JSON.stringify(typed);
  useEffect(() => {
    const timer = setTimeout(() => setApiFilters(JSON.parse(typedKey) as typeof typed), 300);
    return () => clearTimeout(timer);
  }, [typedKey]);
  const list = useQuery({
    queryKey: ['thresholds', apiFilters, editor],
    queryFn: () => loadThresholds(apiFilters, editor),
    placeholderData: (previous) => previous,
  });
  const updating =
    list.isPlaceholderData || (list.isFetching && !list.isPending) || typedKey !== JSON.stringify(apiFilters);
  const id = useId();
  const set = (change: Partial<Filters>): void => setFilters((f) => ({ ...f, ...change }));
  const needle = search.trim().toLowerCase();
  const shown = (list.data?.items ?? []).filter((t) => needle === '' || t.name.toLowerCase().includes(needle));

  return (
    <main id="main">
      <h1 tabIndex={-1}>Thresholds</h1>
      <form className="filters" role="search" aria-label="Filter thresholds" onSubmit={(e) => e.preventDefault()}>
        <CategorySelect
          id={`${id}-category`}
          value={filters.category}
          onChange={(category) => set({ category })}
          allLabel="All categories"
        />
        <TextField
          id={`${id}-industry`}
          label="Industry code (exact)"
          value={filters.industry}
          onChange={(industry) => set({ industry })}
        />
        <TextField
          id={`${id}-type`}
          label="Business type"
          value={filters.businessType}
          onChange={(businessType) => set({ businessType })}
        />
        {editor ? (
          <div className="check">
            <input
              id={`${id}-active`}
              type="checkbox"
              checked={filters.activeOnly}
              onChange={(e) => set({ activeOnly: e.target.checked })}
            />
            <label htmlFor={`${id}-active`}>Active only</label>
          </div>
        ) : null}
        <TextField
          id={`${id}-search`}
          label="Search by name"
          type="search"
          value={filters.search}
          onChange={(search) => set({ search })}
        />
      </form>
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <p className="muted" aria-live="polite">
            {list.isPending
              ? 'Loading thresholds…'
              : updating
                ? 'Updating…'
                : `${shown.length} threshold${shown.length === 1 ? '' : 's'}${list.data?.more ? ` (the first ${MOST} read; narrow the filters)` : ''}`}
          </p>
          <LevelLegend />
          {!list.isPending && !updating && shown.length === 0 ? (
            <div className="notice">
              <p>
                No threshold matches these filters.
                {filters.category && !filters.industry.trim() && !filters.businessType.trim() && !needle
                  ? ` Scores in ${filters.category} are classified with the category's default, or the built-in bands (25 / 50 / 75 / 90) without one.`
                  : ''}
              </p>
              <button type="button" onClick={() => setFilters(NO_FILTERS)}>
                Clear the filters
              </button>
            </div>
          ) : (
            <table className={updating ? 'thresholds updating' : 'thresholds'} aria-busy={updating || list.isPending}>
              <caption className="visually-hidden">Thresholds and their bands from 0 to 100</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Category</th>
                  <th scope="col">Industry</th>
                  <th scope="col">Business type</th>
                  <th scope="col">Bands (0–100)</th>
                </tr>
              </thead>
              <tbody>
                {list.isPending
                  ? [0, 1, 2].map((i) => (
                      <tr key={i} className="skeleton" aria-hidden="true">
                        <td colSpan={5}>&nbsp;</td>
                      </tr>
                    ))
                  : shown.map((t) => (
                      <tr key={t.id} className={t.is_active ? undefined : 'inactive'}>
                        <th scope="row">
                          <Link to={`/thresholds/${t.id}`}>{t.name}</Link>
                          {t.is_default ? <span className="tag">default</span> : null}
                          {t.is_active ? null : <span className="tag">inactive</span>}
                        </th>
                        <td data-label="Category">{t.category}</td>
                        <td data-label="Industry">{t.industry_code ?? '—'}</td>
                        <td data-label="Business type">{t.business_type ?? '—'}</td>
                        <td data-label="Bands">
                          <BandBar bands={t.risk_levels} />
                        </td>
                      </tr>
                    ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </main>
  );
}
