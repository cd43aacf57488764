// The `stagingAutoSync` config section: which servers are synchronized as soon as tasks are logged, and how.
import { z } from 'zod';

/** How long a loop waits after its server failed as a whole (unreachable, refusing), doubling per failure. */
export const AutoSyncBackoffSchema = z
  .object({
    /** Wait after the first failure, in ms. */
    baseDelayMs: z.number().int().min(1).default(1000),
    /** Longest wait between attempts while the server stays down, in ms. */
    maxDelayMs: z.number().int().min(1).default(60_000),
  })
  .strict()
  .refine((b) => b.maxDelayMs >= b.baseDelayMs, {
    message: 'maxDelayMs must be at least baseDelayMs',
    path: ['maxDelayMs'],
  });

/** Schema of the `stagingAutoSync` section. */
export const StagingAutoSyncSettingsSchema = z
  .object({
    /** Switch automatic synchronization off without removing the plugin. */
    enabled: z.boolean().default(true),
    /** Names of the servers to synchronize automatically; absent: every enabled server, also ones added later. */
    servers: z.array(z.string().min(1)).min(1).optional(),
    /** Tasks per request; absent: `staging.batchSize`. */
    batchSize: z.number().int().min(1).max(10_000).optional(),
    /** Requests in flight to one server at a time. Order per object holds with more (leases hold it back). */
    maxInFlight: z.number().int().min(1).max(16).default(1),
    backoff: AutoSyncBackoffSchema.default({ baseDelayMs: 1000, maxDelayMs: 60_000 }),
    /**
     * Longest an idle loop waits before looking at the queue again, in ms: tasks logged by other processes on the
     * same database (a CLI, another web node) fire no event here. 0: only this process's events wake the loops.
     */
    pollIntervalMs: z.number().int().min(0).default(5000),
  })
  .strict();

/** Parsed `stagingAutoSync` section. */
export type StagingAutoSyncSettings = z.infer<typeof StagingAutoSyncSettingsSchema>;
/** Token of the parsed `stagingAutoSync` section. */
export const StagingAutoSyncSettings = Symbol('StagingAutoSyncSettings');
