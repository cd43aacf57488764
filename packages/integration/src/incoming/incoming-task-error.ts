// Why an incoming-task request was refused; its kind gives the HTTP status (@syncbus/server's one mapping).
import { SyncbusError, type ErrorKind } from '@syncbus/core';

/**
 * Codes and kinds: UNAUTHORIZED `unauthenticated` 401 (a wrong token, or a connector name that does not exist: one
 * answer for both), INCOMING_NOT_CONFIGURED `forbidden` 403, MALFORMED_JSON and a body nested too deep (INVALID_BODY)
 * `invalid` 400, INTEGRATION_DISABLED `unavailable` 503. A body with wrong fields is a `ValidationError`
 * (INVALID_BODY, 400 with `problems` by path). Nothing is logged from a refused request.
 */
export class IncomingTaskError extends SyncbusError {
  constructor(
    code: string,
    kind: Extract<ErrorKind, 'invalid' | 'unauthenticated' | 'forbidden' | 'unavailable'>,
    message: string,
  ) {
    super(code, message, { kind });
  }
}
