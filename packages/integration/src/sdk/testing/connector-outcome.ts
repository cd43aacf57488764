// Waiting for a connector to finish with what was logged for it, and reading what the bus recorded on the way.
import { IntegrationConnectorRegistry } from '../../connectors/integration-connector-registry';
import { IntegrationSyncLog, type IntegrationSyncLogEntry } from '../../processing/integration-sync-log';
import {
  IntegrationSynchronizations,
  type IntegrationSynchronizationInfo,
} from '../../processing/integration-synchronizations';
import type { TaskDirection } from '../../tasks/integration-task-store';
import type { TestNode } from './test-node';
import { waitFor } from './wait-for';

/** What `connectorSettled` found: nothing waits any more, and every error the sync log kept. */
export interface ConnectorOutcome {
  readonly syncLog: readonly IntegrationSyncLogEntry[];
}

/**
 * The tasks still waiting for `connector` in `direction` (default outgoing), oldest first, each with its attempts,
 * its last error and when it is next due: what a test reads to see why a task waits.
 */
export function connectorQueue(
  node: TestNode,
  connector: string,
  direction: TaskDirection = 'outgoing',
): Promise<readonly IntegrationSynchronizationInfo[]> {
  return node.kernel.get(IntegrationSynchronizations).list(connector, direction);
}

/**
 * Resolves once nothing waits for `connector` in `direction` (default outgoing): every task was processed (OK) or
 * given up on; rejects after `timeoutMs` naming what still waits and why.
 */
export async function connectorSettled(
  node: TestNode,
  connector: string,
  options: { direction?: TaskDirection; timeoutMs?: number } = {},
): Promise<ConnectorOutcome> {
  const synchronizations = node.kernel.get(IntegrationSynchronizations);
  let waiting: readonly { taskId: number; lastError: string | null }[] = [];
  await waitFor(
    async () => {
      waiting = await synchronizations.list(connector, options.direction ?? 'outgoing');
      if (waiting.length > 0) throw new Error(`still waiting: ${JSON.stringify(waiting.slice(0, 3))}`);
      return true;
    },
    `connector '${connector}' to process what was logged for it`,
    options.timeoutMs,
  );
  const { id } = node.kernel.get(IntegrationConnectorRegistry).get(connector);
  return { syncLog: await node.kernel.get(IntegrationSyncLog).entries(id) };
}
