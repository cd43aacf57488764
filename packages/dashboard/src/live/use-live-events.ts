// Lets a view act on live events: `handler` runs for each event of the given types; `throttledReload` runs at
// most once per `ms` however many events arrive (a burst of deliveries reloads once).
import { useEffect, useRef } from 'preact/hooks';
import { useApp } from '../app-context';
import type { LiveEvent } from './event-stream';

export function useLiveEvents(types: readonly string[], handler: (event: LiveEvent) => void): void {
  const { events } = useApp();
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  const key = types.join(',');
  useEffect(
    () =>
      events.subscribe((event) => {
        if (types.includes(event.type)) handlerRef.current(event);
      }),
    [events, key],
  );
}

/** A function that calls `action` at most once per `ms`, trailing (the last call is never lost). */
export function useThrottled(action: () => void, ms: number): () => void {
  const actionRef = useRef(action);
  actionRef.current = action;
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useRef(() => {
    if (timer.current !== undefined) return;
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      actionRef.current();
    }, ms);
  }).current;
}
