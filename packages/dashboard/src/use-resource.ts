// Loading state for a view: what the API answered, or why it did not, with reload (quiet: the old data stays on
// screen while it reloads) and a bounded retry while the node does not answer.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { NodeUnreachableError } from './admin-client';

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  reload(): void;
  /** Replaces the data in place (live updates), until the next load. */
  set(update: (data: T) => T): void;
}

/** Loads with `load` whenever `deps` change; `pollMs` reloads every so often. */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  pollMs?: number,
): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    loadRef.current(abort.signal).then(
      (value) => {
        if (abort.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: Error) => {
        if (abort.signal.aborted || failure.name === 'AbortError') return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [...deps, generation]);

  // Polling, and retrying every 3 s while the node does not answer.
  useEffect(() => {
    const every = error instanceof NodeUnreachableError ? 3000 : pollMs;
    if (!every) return;
    const timer = setInterval(() => setGeneration((g) => g + 1), every);
    return () => clearInterval(timer);
  }, [pollMs, error]);

  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, deps);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const set = useCallback((update: (value: T) => T) => setData((d) => (d === undefined ? d : update(d))), []);
  return { data, error, loading, reload, set };
}
