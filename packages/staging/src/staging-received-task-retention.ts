// The token of the retention that keeps the receiver's ledger (staging_received_task) to its setting.
import type { LedgerRetention } from '@syncbus/core/internal';

/**
 * Token of the `LedgerRetention` that deletes the receiver's ledger rows older than
 * `staging.receivedTaskRetentionDays`, every `staging.receivedTaskPruneIntervalMs` while the node runs (its own
 * `onStart` and `onStop`, run by the kernel); its `prune()` runs one prune now.
 */
export const StagingReceivedTaskRetention = Symbol('StagingReceivedTaskRetention');
export type StagingReceivedTaskRetention = LedgerRetention;
