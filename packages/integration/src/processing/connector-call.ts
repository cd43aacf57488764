// Calls into a connector with a time limit, so one hanging connector costs its own queue time and nothing else.
import { SyncbusError } from '@syncbus/core';
import { IntegrationProcessResult, readOutcome, type ProcessingVerdict } from './integration-process-result';

/** A connector call took longer than the per-call time limit (`integration.callTimeoutMs`). */
export class ConnectorTimeoutError extends SyncbusError {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(
      'CONNECTOR_TIMEOUT',
      `${method} timed out after ${timeoutMs} ms; make the external system answer faster or raise integration.callTimeoutMs`,
    );
  }
}

/**
 * Runs `fn` and resolves with its value, or rejects with `ConnectorTimeoutError` after `timeoutMs`. The call
 * itself cannot be cancelled; whatever it does later is ignored.
 */
export async function callWithTimeLimit<T>(
  fn: () => T | Promise<T>,
  timeoutMs: number,
  method: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectorTimeoutError(method, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(fn), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A readable message of anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

/** Calls a connector method for a result: a throw or a timeout is an Error with its message, nonsense is an Error. */
export async function callForVerdict(
  fn: () => unknown,
  timeoutMs: number,
  method: string,
): Promise<ProcessingVerdict> {
  try {
    return readOutcome(await callWithTimeLimit(fn, timeoutMs, method), method);
  } catch (error) {
    return { result: IntegrationProcessResult.Error, message: `${method} threw: ${errorMessage(error)}` };
  }
}
