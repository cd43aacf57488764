// What the bus attaches to a connector instance at load; kept off the public class so connectors cannot forge it.
import { SyncbusError } from '@syncbus/core';
import type { IntegrationProcessResult } from '../processing/integration-process-result';
import type { IntegrationTask } from '../tasks/integration-task';

/** The bus's side of one loaded connector. */
export interface ConnectorRuntime {
  readonly name: string;
  readonly displayName: string;
  readonly version?: string;
  /** The node's name (`CoreSettings.nodeName`), as the connector's messages name their source. */
  readonly nodeName: string;
  /**
   * The validated config (the entry's `config` as it is for a connector without a schema), or undefined when it
   * did not validate or the connector is not listed in `connectors`.
   */
  readonly config: unknown;
  /** Processes one queued outgoing task of this connector through the processor's recording path. */
  processTask(task: IntegrationTask): Promise<IntegrationProcessResult | undefined>;
}

const runtimes = new WeakMap<object, ConnectorRuntime>();

/** Attaches the runtime (the registry calls this once per connector). */
export function attachConnectorRuntime(connector: object, runtime: ConnectorRuntime): void {
  runtimes.set(connector, runtime);
}

/** The runtime of a loaded connector; throws a clear error for one built outside the bus. */
export function connectorRuntimeOf(connector: object): ConnectorRuntime {
  const runtime = runtimes.get(connector);
  if (!runtime) {
    throw new SyncbusError(
      'CONNECTOR_NOT_LOADED',
      `${connector.constructor.name} was not loaded by the integration bus; get connectors from ` +
        'IntegrationHelper.getConnector(name) instead of constructing them.',
    );
  }
  return runtime;
}
