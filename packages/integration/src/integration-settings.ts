// The `integration` and `connectors` config sections: Kentico's integration switches, and which connectors run how.
import { ReceivedTaskRetentionSchema } from '@syncbus/core/internal';
import { RetryPolicySchema, SecretRef } from '@syncbus/core';
import { z } from 'zod';

/** Schema of the `integration` section. */
export const IntegrationSettingsSchema = z
  .object({
    /** Master switch of the integration bus (Kentico: "Enable integration bus"). */
    enabled: z.boolean().default(true),
    /** Log outgoing (internal) tasks when subscribed objects change. */
    logInternal: z.boolean().default(true),
    /** Process outgoing tasks (the background drain and `processInternalTask`). */
    processInternal: z.boolean().default(true),
    /** Accept incoming (external) tasks from connectors. */
    logExternal: z.boolean().default(true),
    /** Apply incoming tasks to the host. */
    processExternal: z.boolean().default(true),
    /** Longest a connector call may take before it counts as Error "timed out", in ms. */
    callTimeoutMs: z.number().int().min(1).default(30_000),
    /** Rows claimed per drain round of one connector. */
    batchSize: z.number().int().min(1).max(1000).default(50),
    /** Lease on claimed rows; renewed by heartbeats while a batch runs, in ms. */
    leaseMs: z.number().int().min(100).default(60_000),
    /** Longest an idle drain sleeps before looking again (other nodes may have logged tasks), in ms. */
    pollIntervalMs: z.number().int().min(10).default(1000),
    /** How long a SkipNow (or an unavailable connector) leaves a task before the next run, in ms. */
    skipDelayMs: z.number().int().min(0).default(30_000),
    retry: RetryPolicySchema.default({ maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 }),
    /** `receivedTaskRetentionDays` (default 30, 0: for ever) and `receivedTaskPruneIntervalMs` of its ledger. */
    ...ReceivedTaskRetentionSchema.shape,
  })
  .strict()
  // Heartbeats renew leases during a call, but a lease shorter than a call would lapse whenever a heartbeat is late
  // (a busy event loop): another node could then take the row and call the connector a second time.
  .refine((s) => s.callTimeoutMs < s.leaseMs, {
    path: ['callTimeoutMs'],
    message:
      'must be less than integration.leaseMs, or another node may take a task while its call is still running; raise leaseMs or lower callTimeoutMs',
  });

/** Parsed `integration` section. */
export type IntegrationSettings = z.infer<typeof IntegrationSettingsSchema>;
/** Token of the parsed `integration` section. */
export const IntegrationSettings = Symbol('IntegrationSettings');

/** One entry of the `connectors` section. */
export const ConnectorEntrySchema = z
  .object({
    /** The connector's name, as its `@IntegrationConnector({ name })` says. */
    name: z.string().min(1),
    /** Shown in lists; defaults to the connector's own display name. */
    displayName: z.string().min(1).optional(),
    /**
     * Sets the connector's switch at every start; absent: the switch stays as `syncbus connectors enable|disable`
     * left it (on for a connector seen the first time).
     */
    enabled: z.boolean().optional(),
    /** The connector's own settings, validated with its config schema at start (secrets as "env:NAME"). */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Token an external system presents to post incoming tasks for this connector; none: incoming HTTP refused. */
    incomingToken: SecretRef.optional(),
  })
  .strict();
/** Parsed entry of the `connectors` section. */
export type ConnectorEntry = z.infer<typeof ConnectorEntrySchema>;

/** Schema of the `connectors` section: a list. An absent section (the kernel passes `{}`) means none. */
export const ConnectorsSettingsSchema = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0
      ? []
      : value,
  z.array(ConnectorEntrySchema).superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.name))
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `connector '${entry.name}' is listed twice`,
        });
      seen.add(entry.name);
    });
  }),
);
/** Parsed `connectors` section. */
export type ConnectorsSettings = readonly ConnectorEntry[];
/** Token of the parsed `connectors` section. */
export const ConnectorsSettings = Symbol('ConnectorsSettings');
