// Why a host's write of a synchronized object was refused: it could not become its task, so it did not happen.
import { SyncbusError } from '../errors';

/**
 * A write of a `@SyncObject` entity that syncbus cannot turn into its task. It is thrown before anything is
 * written (or inside the write's transaction, which then rolls back), so source and targets never diverge.
 * Codes: CAPTURE_LISTENERS_OFF, CAPTURE_NO_IDENTITY, CAPTURE_FAILED.
 */
export class ChangeCaptureError extends SyncbusError {
  constructor(
    code: string,
    /** The entity's class name. */
    readonly entity: string,
    /** The TypeORM call, as the host wrote it (e.g. `update`, `save`). */
    readonly call: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${call}() of ${entity}: ${message}`, options);
  }
}
