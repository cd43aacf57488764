// Typed errors of the integration bus; each message says what to do.
import { SyncbusError, ValidationError, type ConfigProblem } from '@syncbus/core';

/** No loaded connector has this name. */
export class ConnectorNotFoundError extends SyncbusError {
  constructor(
    readonly connectorName: string,
    known: readonly string[],
  ) {
    super(
      'CONNECTOR_NOT_FOUND',
      `No integration connector named '${connectorName}' is loaded (loaded: ${known.join(', ') || 'none'}). ` +
        'Add its package to "plugins" and an entry to "connectors" in the config.',
      { kind: 'not-found' },
    );
  }
}

/** A connector's config does not fit its schema; `problems` names every wrong field by path. */
export class ConnectorConfigError extends ValidationError {
  constructor(
    readonly connectorName: string,
    problems: readonly ConfigProblem[],
  ) {
    super(
      'CONNECTOR_CONFIG_INVALID',
      `Connector '${connectorName}' has an invalid config; fix these fields and restart`,
      problems,
    );
  }
}

/** A synchronous connector answered Error while a change was logged; the change was rolled back. */
export class SynchronousProcessingError extends SyncbusError {
  constructor(
    readonly connectorName: string,
    readonly objectType: string,
    readonly objectGuid: string,
    reason: string,
  ) {
    super(
      'SYNC_PROCESSING_FAILED',
      `Connector '${connectorName}' refused the change of ${objectType} '${objectGuid}' synchronously, so the ` +
        `change was not saved: ${reason}. Fix the cause in the external system, or subscribe asynchronously.`,
    );
  }
}

/** The integration bus, or one of its switches, is turned off for what was asked. */
export class IntegrationDisabledError extends SyncbusError {
  constructor(setting: string, what: string) {
    super('INTEGRATION_DISABLED', `${what} is turned off (${setting}); turn it on in the config to use it.`, {
      kind: 'unavailable',
    });
  }
}

/**
 * A connector refused incoming tasks it could never apply (`incomingTaskProblems`); nothing of the call was logged.
 * `problems` paths are `<index of the task in the call>.<field>`.
 */
export class InvalidIncomingTaskError extends ValidationError {
  constructor(
    readonly connectorName: string,
    problems: readonly ConfigProblem[],
  ) {
    super(
      'INVALID_INCOMING_TASK',
      `Connector '${connectorName}' cannot take these incoming tasks; fix these fields and send them again`,
      problems,
    );
  }
}
