// What a connector answers for a task (Kentico's IntegrationProcessResultEnum), and how loose answers are read.

/** A connector's answer to one task. */
export const IntegrationProcessResult = {
  /** Done; the task leaves the queue. */
  OK: 'OK',
  /** Failed; retried with backoff, and later tasks of the same object wait for it (other objects go on). */
  Error: 'Error',
  /** Failed, but not worth waiting for: recorded in the sync log, the task leaves the queue. */
  ErrorAndSkip: 'ErrorAndSkip',
  /** Not now: the task stays queued for a later run, without counting an attempt. */
  SkipNow: 'SkipNow',
} as const;
/** One of `IntegrationProcessResult`'s values. */
export type IntegrationProcessResult =
  (typeof IntegrationProcessResult)[keyof typeof IntegrationProcessResult];

/**
 * What a connector method may return: a result, or a result with a message (recorded with errors) and, for an
 * Error, `retryAfterMs`: the earliest next attempt the external system asked for (e.g. its `Retry-After`); the
 * queue waits at least that long, and longer when its own backoff says so. An Error with `unavailable: true`
 * says the external system itself is down (unreachable, timing out, 503), not this task: the connector pauses
 * with backoff, no attempt is counted on any task, and after the pause one task (or `check()`) probes again.
 */
export type ProcessingOutcome =
  | IntegrationProcessResult
  | {
      readonly result: IntegrationProcessResult;
      readonly message?: string;
      readonly retryAfterMs?: number;
      readonly unavailable?: boolean;
    };

/** A result with its message, as the processor records it. */
export interface ProcessingVerdict {
  readonly result: IntegrationProcessResult;
  readonly message?: string;
  /** An error that retrying cannot fix (e.g. data that does not fit the host): fail now, no more attempts. */
  readonly final?: boolean;
  /** Epoch ms before which an Error is not retried (from the outcome's `retryAfterMs`). */
  readonly notBefore?: number;
  /** An Error of the external system as a whole: pause the connector, count no attempt. */
  readonly unavailable?: boolean;
}

const RESULTS = new Set<string>(Object.values(IntegrationProcessResult));

/** Reads a connector's return value; anything that is not a result becomes an Error that says what came back. */
export function readOutcome(value: unknown, method: string): ProcessingVerdict {
  if (typeof value === 'string' && RESULTS.has(value)) return { result: value as IntegrationProcessResult };
  if (value && typeof value === 'object' && RESULTS.has((value as { result?: string }).result ?? '')) {
    const { result, message, retryAfterMs, unavailable } = value as {
      result: IntegrationProcessResult;
      message?: unknown;
      retryAfterMs?: unknown;
      unavailable?: unknown;
    };
    const verdict: ProcessingVerdict = {
      result,
      message: message === undefined ? undefined : String(message),
      ...(unavailable === true && result === IntegrationProcessResult.Error ? { unavailable: true } : {}),
    };
    return typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs > 0
      ? { ...verdict, notBefore: Date.now() + retryAfterMs }
      : verdict;
  }
  const shown = value === undefined ? 'nothing' : (JSON.stringify(value)?.slice(0, 100) ?? String(value));
  return {
    result: IntegrationProcessResult.Error,
    message: `${method} returned ${shown}, which is not a result; return 'OK', 'Error', 'ErrorAndSkip' or 'SkipNow'`,
  };
}
