/**
 * A value that follows `value` once it has stopped changing for `delayMs`: a preview fed by an
 * editor redraws after a pause in typing, not on every keystroke.
 */
import { useEffect, useState } from 'react';

export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
