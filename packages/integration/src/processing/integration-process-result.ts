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

/** What a connector method may return: a result, or a result with a message (recorded with errors). */
export type ProcessingOutcome =
  IntegrationProcessResult | { readonly result: IntegrationProcessResult; readonly message?: string };

/** A result with its message, as the processor records it. */
export interface ProcessingVerdict {
  readonly result: IntegrationProcessResult;
  readonly message?: string;
  /** An error that retrying cannot fix (e.g. data that does not fit the host): fail now, no more attempts. */
  readonly final?: boolean;
}

const RESULTS = new Set<string>(Object.values(IntegrationProcessResult));

/** Reads a connector's return value; anything that is not a result becomes an Error that says what came back. */
export function readOutcome(value: unknown, method: string): ProcessingVerdict {
  if (typeof value === 'string' && RESULTS.has(value)) return { result: value as IntegrationProcessResult };
  if (value && typeof value === 'object' && RESULTS.has((value as { result?: string }).result ?? '')) {
    const { result, message } = value as { result: IntegrationProcessResult; message?: unknown };
    return { result, message: message === undefined ? undefined : String(message) };
  }
  const shown = value === undefined ? 'nothing' : (JSON.stringify(value)?.slice(0, 100) ?? String(value));
  return {
    result: IntegrationProcessResult.Error,
    message: `${method} returned ${shown}, which is not a result; return 'OK', 'Error', 'ErrorAndSkip' or 'SkipNow'`,
  };
}
