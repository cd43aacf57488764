// The connector of the integration drain workload: answers OK at once, so the drain measures the bus's own cost
// per task (claim, task read, call, settle), not an external system's. Written against the SDK only, as a third
// party writes a connector (plugins/connector-ndjson is the template).
import {
  BaseIntegrationConnector,
  IntegrationConnector,
  type IntegrationTask,
  type ProcessingOutcome,
} from '@syncbus/integration/sdk';
import { BENCH_OBJECT_TYPE } from '../peers/bench-payloads';

/** The connector's name, in `connectors` entries and in its `integration_connector` row. */
export const BENCH_CONNECTOR = 'bench-instant';

/**
 * Subscribes to the benchmark's articles (queued) and answers every task `OK` synchronously. It counts what it
 * was given, so the workload can prove every logged task reached it exactly once before it believes a rate.
 */
@IntegrationConnector({ name: BENCH_CONNECTOR, displayName: 'answers at once', version: '0.1.0' })
export class BenchInstantConnector extends BaseIntegrationConnector {
  /** Calls of `processQueuedTask` (a redelivered task counts twice). */
  calls = 0;
  /** Task guids it was given, each once. */
  readonly guids = new Set<string>();
  /** Object guids it was given, each once (compared with the articles the fill logged). */
  readonly objects = new Set<string>();
  /** Called after every call, with the number of distinct tasks seen so far. */
  onTask?: (distinct: number) => void;

  override init(): void {
    this.subscribeToObjects('async', BENCH_OBJECT_TYPE);
  }

  override processQueuedTask(task: IntegrationTask): ProcessingOutcome {
    this.calls += 1;
    this.guids.add(task.guid);
    this.objects.add(task.objectGuid);
    this.onTask?.(this.guids.size);
    return 'OK';
  }
}
