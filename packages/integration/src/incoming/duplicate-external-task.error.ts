// An incoming task whose guid the connector already received: it was logged before and is not logged again.
import { SyncbusError } from '@syncbus/core';

/** Raised (or answered as `duplicate`) for a redelivered incoming task; the earlier delivery takes effect, once. */
export class DuplicateExternalTaskError extends SyncbusError {
  constructor(
    readonly connectorName: string,
    readonly guid: string,
  ) {
    super(
      'DUPLICATE_EXTERNAL_TASK',
      `Connector '${connectorName}' already received task '${guid}'; it was not logged again. Acknowledge the ` +
        'delivery: the first one is (or was) applied.',
    );
  }
}
