// The integration drain of the integration workload: a real node (SQLite file) with `@syncbus/integration` and a
// connector that answers at once drains its outgoing backlog in its background drain, from the go signal until
// the queue is empty. Nothing is polled: the connector's calls say when the last task was handed over, and the
// processor's `settled()` when its batch was recorded.
import { Kernel, Storage } from '@syncbus/core';
import { withSqlTransaction } from '@syncbus/core/internal';
import {
  IntegrationConnectorRegistry,
  IntegrationHelper,
  IntegrationTaskProcessor,
} from '@syncbus/integration';
import type { ChildRole } from '../harness/child-channel';
import { benchGuid } from '../peers/bench-payloads';
import { BENCH_CONNECTOR, type BenchInstantConnector } from './bench-instant-connector';
import { integrationNodeOptions } from './syncbus-integration-node-options';

/** Config of the integration drain role. */
export interface SyncbusIntegrationDrainConfig {
  readonly databaseUrl: string;
  readonly batchSize: number;
  /** Tasks the fill logs; the drain ends once the connector was handed every one of them. */
  readonly tasks: number;
  readonly run: string;
}

/** What the integration drain reports. */
export interface IntegrationDrainResult {
  /** Distinct tasks the connector was handed. */
  readonly delivered: number;
  /** Calls of the connector (more than `delivered` if a task was handed over twice). */
  readonly calls: number;
  readonly ms: number;
  /** CPU time of this process from go to done. */
  readonly cpuMs: number;
}

/** No call for this long while tasks are missing: the drain stalled or lost them; the round fails. */
const STALL_MS = 15_000;

/** What is left in the node's integration tables (all zero after a clean drain of creates answered OK). */
async function leftovers(kernel: Kernel, connectorId: number) {
  return withSqlTransaction(kernel.get(Storage), async (sql) => {
    const count = async (query: string, params: unknown[] = []) =>
      Number((await sql.all<{ n: unknown }>(query, params))[0].n);
    return {
      queued: await count('SELECT COUNT(*) AS n FROM integration_synchronization WHERE connector_id = ?', [
        connectorId,
      ]),
      tasks: await count('SELECT COUNT(*) AS n FROM integration_task'),
      syncLog: await count('SELECT COUNT(*) AS n FROM integration_sync_log WHERE connector_id = ?', [
        connectorId,
      ]),
    };
  });
}

export const syncbusIntegrationDrainRole: ChildRole = async (
  config: SyncbusIntegrationDrainConfig,
  channel,
): Promise<IntegrationDrainResult> => {
  const kernel = await Kernel.boot(integrationNodeOptions(config));
  let watchdog: NodeJS.Timeout | undefined;
  try {
    const processor = kernel.get(IntegrationTaskProcessor);
    const { id } = kernel.get(IntegrationConnectorRegistry).get(BENCH_CONNECTOR);
    const connector = kernel.get(IntegrationHelper).getConnector(BENCH_CONNECTOR) as BenchInstantConnector;
    // The drain's first pass (over an empty queue) is over before the backlog is written: it then sleeps until
    // it is woken (or its 10-minute poll).
    await processor.settled();
    let handedOver!: () => void;
    const allHandedOver = new Promise<void>((resolve) => (handedOver = resolve));
    connector.onTask = (distinct) => {
      if (distinct === config.tasks) handedOver();
    };
    channel.ready();
    await channel.nextGo();

    const stalled = new Promise<never>((_, reject) => {
      let seen = -1;
      watchdog = setInterval(() => {
        if (connector.calls !== seen) {
          seen = connector.calls;
          return;
        }
        clearInterval(watchdog);
        void leftovers(kernel, id).then(
          (left) =>
            reject(
              new Error(
                `the integration drain made no progress for ${STALL_MS / 1000} s: the connector was handed ` +
                  `${connector.guids.size} of ${config.tasks} tasks (${connector.calls} calls); ` +
                  `${left.queued} still queued, ${left.syncLog} sync log entries` +
                  (left.queued === 0 ? ': tasks were lost' : ''),
              ),
            ),
          reject,
        );
      }, STALL_MS);
    });
    stalled.catch(() => undefined);

    const started = performance.now();
    const cpu = process.cpuUsage();
    // What the integration auto-sync plugin does when a task is logged (and a PostgreSQL node's wake-up channel
    // across processes): the connector's drain runs a pass now instead of at its next poll.
    processor.wake(id);
    await Promise.race([allHandedOver, stalled]);
    // The last task's batch is recorded (its settle committed) once the pass in hand is over.
    await processor.settled();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    clearInterval(watchdog);

    const left = await leftovers(kernel, id);
    const missing = Array.from({ length: config.tasks }, (_, i) =>
      benchGuid(`${config.run}:article`, i),
    ).filter((guid) => !connector.objects.has(guid)).length;
    if (
      left.queued > 0 ||
      left.tasks > 0 ||
      left.syncLog > 0 ||
      missing > 0 ||
      connector.calls !== config.tasks
    ) {
      throw new Error(
        `the integration drain handed ${connector.guids.size} distinct tasks to the connector in ` +
          `${connector.calls} calls (${missing} of the ${config.tasks} logged articles never reached it), and left ` +
          `${left.queued} queued, ${left.tasks} task rows and ${left.syncLog} sync log entries; ` +
          'the figure would be wrong, so this workload stops here',
      );
    }
    return {
      delivered: connector.guids.size,
      calls: connector.calls,
      ms,
      cpuMs: (used.user + used.system) / 1000,
    };
  } finally {
    clearInterval(watchdog);
    await kernel.stop();
  }
};
