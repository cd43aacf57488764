// Why a task could not be applied to the host's objects; the task is answered with this message, nothing is half-applied.
import { SyncbusError } from '../errors';

/**
 * Codes: UNKNOWN_OBJECT_TYPE, UNKNOWN_TASK_TYPE, UNKNOWN_PROPERTY, INVALID_VALUE, UNRESOLVED_REFERENCE. Kind
 * `unprocessable`: the task is well-formed, this node cannot apply it.
 */
export class ObjectApplyError extends SyncbusError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, kind: 'unprocessable' });
  }
}
