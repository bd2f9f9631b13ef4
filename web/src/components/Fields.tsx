import { useQuery } from '@tanstack/react-query';
import { api, data, type Threshold } from '../api';

export type Category = NonNullable<Threshold['category']>;

/** The risk categories (GET /v1/risk/categories), as a labelled select; `allLabel` adds "any". */
export function CategorySelect({
  id,
  value,
  onChange,
  allLabel,
}: {
  id: string;
  value: Category | '';
  onChange: (value: Category | '') => void;
  allLabel?: string;
}) {
  const categories = useQuery({ queryKey: ['categories'], queryFn: () => data(api.GET('/v1/risk/categories')) });
  return (
    <div>
      <label htmlFor={id}>Category</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as Category | '')}>
        {allLabel === undefined ? null : <option value="">{allLabel}</option>}
        {(categories.data?.categories ?? (value ? [{ name: value }] : [])).map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled text input. */
export function TextField({
  id,
  label,
  value,
  onChange,
  type = 'text',
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'search';
}) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
