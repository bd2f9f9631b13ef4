import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { api, data, type Threshold } from '../api';
import { BandBar, LevelLegend } from '../components/BandBar';
import { ErrorNotice } from '../components/ErrorNotice';
import { CategorySelect, TextField, type Category } from '../components/Fields';
import { Link, useRouter } from '../router';
import { useSettled } from '../settled';
import { atLeast, useSession } from '../session';

/** Thresholds read at most, page by page (the list shows that it stopped there). */
const MOST = 2000;

type Order = 'matching' | 'name' | 'priority';

interface Filters {
  category: Category | '';
  industry: string;
  /** The industry code as typed is a case's: thresholds whose code is a prefix of it (or none) could apply. */
  couldApply: boolean;
  businessType: string;
  activeOnly: boolean;
  search: string;
  order: Order;
}

const ORDERS: Record<Order, string> = {
  matching: 'matching order (priority, then newest)',
  name: 'name',
  priority: 'priority, highest first',
};

/** The filters in the address (`?category=financial&industry=5221&apply=1&q=bank`), so a view can be shared. */
export function filtersFrom(search: URLSearchParams): Filters {
  const order = search.get('order');
  return {
    category: (search.get('category') ?? '') as Category | '',
    industry: search.get('industry') ?? '',
    couldApply: search.get('apply') === '1',
    businessType: search.get('type') ?? '',
    activeOnly: search.get('active') !== 'all',
    search: search.get('q') ?? '',
    order: order === 'name' || order === 'priority' ? order : 'matching',
  };
}

export function queryOf(f: Filters): string {
  const q = new URLSearchParams();
  if (f.category) q.set('category', f.category);
  if (f.industry) q.set('industry', f.industry);
  if (f.couldApply) q.set('apply', '1');
  if (f.businessType) q.set('type', f.businessType);
  if (!f.activeOnly) q.set('active', 'all');
  if (f.search) q.set('q', f.search);
  if (f.order !== 'matching') q.set('order', f.order);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** Whether a threshold could decide a case with this industry code: its code is a prefix of it, or it has none. */
export const couldApplyTo = (code: string, t: Pick<Threshold, 'industry_code'>): boolean =>
  t.industry_code === null || code.startsWith(t.industry_code);

/** Every threshold matching the filters the API applies (editors see inactive ones too). */
async function loadThresholds(
  filters: Omit<Filters, 'search' | 'order'>,
  editor: boolean,
): Promise<{ items: Threshold[]; more: boolean }> {
  const items: Threshold[] = [];
  let cursor: string | undefined;
  do {
    const query = {
      ...(filters.category ? { category: filters.category } : {}),
      ...(filters.industry.trim() && !filters.couldApply ? { industry_code: filters.industry.trim() } : {}),
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

const NO_FILTERS: Filters = {
  category: '',
  industry: '',
  couldApply: false,
  businessType: '',
  activeOnly: true,
  search: '',
  order: 'matching',
};

export function Thresholds() {
  const { session } = useSession();
  const editor = atLeast(session, 'editor');
  const { location, replace } = useRouter();
  const [filters, setFilters] = useState<Filters>(() => filtersFrom(location.search));
  // The address follows the filters (replaced, not pushed: Back leaves the page, not the last keystroke).
  const query = queryOf(filters);
  useEffect(() => {
    if (`?${location.search.toString()}` !== query && !(query === '' && location.search.size === 0)) {
      replace(`/thresholds${query}`);
    }
  }, [query]); // eslint-disable-line react-hooks/exhaustive-deps
  const { search, order, ...typed } = filters;
  // What the service filters on, asked once typing pauses (not at every key).
  const apiFilters = useSettled(typed, 300);
  const typedKey = JSON.stringify(typed);
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
  const code = filters.industry.trim();
  const shown = (list.data?.items ?? [])
    .filter((t) => needle === '' || t.name.toLowerCase().includes(needle))
    .filter((t) => !filters.couldApply || code === '' || couldApplyTo(code, t));
  if (order === 'name') shown.sort((a, b) => a.name.localeCompare(b.name));
  if (order === 'priority') shown.sort((a, b) => b.priority - a.priority);

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
          label={filters.couldApply ? "Industry code (a case's)" : 'Industry code (exact)'}
          value={filters.industry}
          onChange={(industry) => set({ industry })}
        />
        <div className="check">
          <input
            id={`${id}-apply`}
            type="checkbox"
            checked={filters.couldApply}
            onChange={(e) => set({ couldApply: e.target.checked })}
          />
          <label htmlFor={`${id}-apply`}>Could apply to this code</label>
        </div>
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
        <div>
          <label htmlFor={`${id}-order`}>Order</label>
          <select id={`${id}-order`} value={order} onChange={(e) => set({ order: e.target.value as Order })}>
            {(Object.keys(ORDERS) as Order[]).map((o) => (
              <option key={o} value={o}>
                {ORDERS[o]}
              </option>
            ))}
          </select>
        </div>
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
                  <th scope="col">Priority</th>
                  <th scope="col">Bands (0–100)</th>
                </tr>
              </thead>
              <tbody>
                {list.isPending
                  ? [0, 1, 2].map((i) => (
                      <tr key={i} className="skeleton" aria-hidden="true">
                        <td colSpan={6}>&nbsp;</td>
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
                        <td data-label="Priority">{t.priority}</td>
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
