import type { ReactNode } from 'react';

/** An instant in the person's locale, the UTC time on hover; `children` replaces the text (e.g. "3 days ago"). */
export function When({ iso, children }: { iso: string; children?: ReactNode }) {
  return (
    <time dateTime={iso} title={`${iso.replace('T', ' ').slice(0, 19)} UTC`}>
      {children ?? new Date(iso).toLocaleString()}
    </time>
  );
}
