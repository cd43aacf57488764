// RxJS reports errors from piped subscriber chains through one process-wide hook; this routes that hook to a live
// kernel's logger, and gives it back when the last kernel stops.
import { config as rxjsConfig } from 'rxjs';
import type { SubscriberErrorReporter } from './after-event';

const live: SubscriberErrorReporter[] = [];
let installed: ((error: unknown) => void) | undefined;

/**
 * Sends RxJS's unhandled errors to `report` (the most recently booted live kernel's, when several share a process)
 * until the returned function is called. A hook the host installed itself is left alone.
 */
export function routeRxjsErrors(report: SubscriberErrorReporter): () => void {
  if (live.length === 0 && rxjsConfig.onUnhandledError == null) {
    installed = (error) => live[live.length - 1]?.(error, 'rxjs');
    rxjsConfig.onUnhandledError = installed;
  }
  live.push(report);
  return () => {
    const index = live.indexOf(report);
    if (index >= 0) live.splice(index, 1);
    if (live.length === 0 && installed && rxjsConfig.onUnhandledError === installed) {
      rxjsConfig.onUnhandledError = null;
      installed = undefined;
    }
  };
}
