import { useCallback, useEffect, useRef, useState } from 'react';

export interface DataState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (value: T) => void;
}

/**
 * A small fetch-and-poll hook: runs `load` whenever `key` changes (null = don't), and again every
 * `refreshMs` while that is set. A response that arrives after a newer request is dropped.
 */
export function useData<T>(key: string | null, load: () => Promise<T>, refreshMs?: number): DataState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(key !== null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const reload = useCallback(async () => {
    if (key === null) return;
    const mine = ++generation.current;
    try {
      const value = await loadRef.current();
      if (mine !== generation.current) return;
      setData(value);
      setError(null);
    } catch (caught) {
      if (mine === generation.current) setError(caught);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    if (key === null) return;
    setLoading(true);
    void reload();
  }, [key, reload]);

  useEffect(() => {
    if (key === null || !refreshMs) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') void reload();
    }, refreshMs);
    return () => window.clearInterval(timer);
  }, [key, refreshMs, reload]);

  return { data, error, loading, reload, setData };
}
