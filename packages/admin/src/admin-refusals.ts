// Refusals the admin API's own routes share, under the codes docs/admin-api.md lists; the status comes from
// @syncbus/server's one mapping (a kind per refusal).
import { SyncbusError } from '@syncbus/core';

/** 404 `SERVER_NOT_FOUND`: no staging server has the name (the API's code; staging's own is `UNKNOWN_SERVER`). */
export function serverNotFound(message: string): SyncbusError {
  return new SyncbusError('SERVER_NOT_FOUND', message, { kind: 'not-found' });
}

/** 404 `TASK_NOT_FOUND`: the task (or a chosen one) does not wait for any server, or not for the one named. */
export function taskNotFound(message: string): SyncbusError {
  return new SyncbusError('TASK_NOT_FOUND', message, { kind: 'not-found' });
}
