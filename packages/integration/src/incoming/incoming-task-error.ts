// Why an incoming-task request was refused, with the HTTP status a route should answer.
import { SyncbusError, type ConfigProblem } from '@syncbus/core';

/**
 * Codes and statuses: UNAUTHORIZED 401 (a wrong token, or a connector name that does not exist: one answer for
 * both), INCOMING_NOT_CONFIGURED 403, MALFORMED_JSON 400,
 * INVALID_BODY 400 (with `problems` by path), INTEGRATION_DISABLED 503. Nothing is logged from a refused request.
 */
export class IncomingTaskError extends SyncbusError {
  constructor(
    code: string,
    readonly statusCode: number,
    message: string,
    readonly problems: readonly ConfigProblem[] = [],
  ) {
    super(code, message);
  }
}
