// Prepares the integration drain's backlog (untimed, in its own process, so the drainer's peak RSS and JIT state
// are its own): a node with the integration bus logs one host change per article through the public API
// (`ObjectChanges.logObjectChange`, an import in transactions of CHUNK changes), and the bus's subscription turns
// each into an outgoing task for the connector, in the change's transaction, as it would for a host's save.
import { Kernel, ObjectChanges, Storage } from '@syncbus/core';
import { withSqlTransaction } from '@syncbus/core/internal';
import { IntegrationConnectorRegistry } from '@syncbus/integration';
import type { ChildRole } from '../harness/child-channel';
import { articleValues, BENCH_OBJECT_TYPE } from '../peers/bench-payloads';
import { BENCH_CONNECTOR } from './bench-instant-connector';
import { integrationNodeOptions } from './syncbus-integration-node-options';

/** Config of the integration fill role. */
export interface SyncbusIntegrationFillConfig {
  readonly databaseUrl: string;
  readonly tasks: number;
  readonly run: string;
}

/** What the fill logged. */
export interface IntegrationFillResult {
  /** Outgoing synchronization rows waiting for the connector after the fill (must equal `tasks`). */
  readonly queued: number;
  readonly ms: number;
}

/** Changes per import transaction. */
const CHUNK = 1_000;

export const syncbusIntegrationFillRole: ChildRole = async (
  config: SyncbusIntegrationFillConfig,
): Promise<IntegrationFillResult> => {
  // `start: false`: the node logs (the bus's change listener runs in every process) but drains nothing; the
  // drain role, already booted on the same file, does that once it is told to go.
  const kernel = await Kernel.boot({ ...integrationNodeOptions(config), start: false });
  try {
    const storage = kernel.get(Storage);
    const changes = kernel.get(ObjectChanges);
    const started = performance.now();
    for (let done = 0; done < config.tasks; done += CHUNK) {
      const count = Math.min(CHUNK, config.tasks - done);
      await storage.transaction(async (manager) => {
        for (let i = done; i < done + count; i++) {
          await changes.logObjectChange(articleValues(i, config.run), 'create', {
            objectType: BENCH_OBJECT_TYPE,
            manager,
          });
        }
      });
    }
    const ms = performance.now() - started;
    const { id } = kernel.get(IntegrationConnectorRegistry).get(BENCH_CONNECTOR);
    const queued = await withSqlTransaction(storage, async (sql) => {
      const [row] = await sql.all<{ n: unknown }>(
        'SELECT COUNT(*) AS n FROM integration_synchronization WHERE connector_id = ?',
        [id],
      );
      return Number(row.n);
    });
    if (queued !== config.tasks) {
      throw new Error(
        `the fill logged ${config.tasks} changes but ${queued} outgoing tasks wait for '${BENCH_CONNECTOR}'`,
      );
    }
    return { queued, ms };
  } finally {
    await kernel.stop();
  }
};
