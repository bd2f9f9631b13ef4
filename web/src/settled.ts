import { useEffect, useState } from 'react';

/**
 * A value that settles: `value` once it has not changed for `ms` (what typing or dragging asks of
 * the service, once it pauses). `undefined` settles at once, so nothing gone is asked for later.
 */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = value === undefined ? '' : JSON.stringify(value);
  useEffect(() => {
    if (key === '') {
      setSettled(undefined as T);
      return;
    }
    const timer = setTimeout(() => setSettled(JSON.parse(key) as T), ms);
    return () => clearTimeout(timer);
  }, [key, ms]);
  return settled;
}
