// The token of the retention that keeps the incoming-task ledger (integration_received_task) to its setting.
import type { LedgerRetention } from '@syncbus/core/internal';

/**
 * Token of the `LedgerRetention` that deletes the incoming-task ledger's rows older than
 * `integration.receivedTaskRetentionDays`, every `integration.receivedTaskPruneIntervalMs` while the node runs
 * (its own `onStart` and `onStop`, run by the kernel); its `prune()` runs one prune now.
 */
export const IntegrationReceivedTaskRetention = Symbol('IntegrationReceivedTaskRetention');
export type IntegrationReceivedTaskRetention = LedgerRetention;
