// The settings and the binding that a module with a ledger of received task guids shares: staging's receiver and
// integration's incoming tasks each keep one, with the same two settings in their own section.
import { z } from 'zod';
import type { Provider, ServiceIdentifier } from '../kernel/provider';
import { Logger } from '../logging/logger';
import { Storage } from '../storage/storage';
import { LedgerRetention } from './ledger-retention';

/** The retention settings of a received-task ledger; spread `.shape` into a module's section schema. */
export const ReceivedTaskRetentionSchema = z.object({
  /**
   * Days a received task's guid stays in the ledger; a redelivery of an older task is not recognised as a
   * duplicate and is applied again. 0 keeps every row for ever.
   */
  receivedTaskRetentionDays: z.number().int().min(0).default(30),
  /** How often the ledger's expired rows are deleted, in ms (the first time right after start). */
  receivedTaskPruneIntervalMs: z
    .number()
    .int()
    .min(10)
    .max(2 ** 31 - 1)
    .default(60 * 60 * 1000),
});
/** Parsed retention settings of a received-task ledger. */
export type ReceivedTaskRetentionSettings = z.infer<typeof ReceivedTaskRetentionSchema>;

/**
 * Binds `token` to a `LedgerRetention` of `ledger` (its table and time column), configured from the settings
 * section bound under `settings`. The kernel builds it at boot and runs its `onStart` and `onStop` hooks.
 */
export function receivedTaskRetentionProvider(
  token: ServiceIdentifier<LedgerRetention>,
  ledger: { readonly table: string; readonly timeColumn: string },
  settings: ServiceIdentifier<ReceivedTaskRetentionSettings>,
): Provider {
  return {
    provide: token,
    useFactory: (resolver) => {
      const section = resolver.get(settings);
      return new LedgerRetention({
        storage: resolver.get(Storage),
        logger: resolver.get<Logger>(Logger),
        ...ledger,
        retentionDays: section.receivedTaskRetentionDays,
        intervalMs: section.receivedTaskPruneIntervalMs,
      });
    },
  };
}
