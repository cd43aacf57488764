// The `staging` config section: what is logged, how tasks are sent, and what the receiver accepts.
import { ReceivedTaskRetentionSchema } from '@syncbus/core/internal';
import { RetryPolicySchema, SecretRef } from '@syncbus/core';
import { z } from 'zod';

/**
 * A server this node accepts tasks from, and the shared secret its requests are signed with: one reference, or
 * up to four while a secret is being rotated (a request signed with any of them is accepted; docs/staging.md).
 */
export const StagingSourceSchema = z
  .object({
    /** The source's node name, as it sends it in `source.server`. */
    server: z.string().min(1),
    secret: z.union([SecretRef, z.array(SecretRef).min(1).max(4)]),
  })
  .strict();

/**
 * What the receiver does when a task would change an object that was changed on this node since staging last
 * left it (docs/conflicts.md): `overwrite` applies the task and keeps the overwritten state in a conflict record,
 * `keep-target` skips the task, `hold` holds it and the object's later tasks until a person resolves it, `merge`
 * takes fields changed on one side only from that side and holds when a field changed on both.
 */
export const ConflictPolicySchema = z.enum(['overwrite', 'keep-target', 'hold', 'merge']);
/** A conflict policy. */
export type ConflictPolicy = z.infer<typeof ConflictPolicySchema>;

/** Conflict detection on the receiver: on or off, and the policy by object type. */
export const StagingConflictSettingsSchema = z
  .object({
    /** Compare each update, delete and create with the object's state on this node (off: Kentico's behaviour). */
    detect: z.boolean().default(true),
    /** The policy of object types `objectTypes` does not name. */
    policy: ConflictPolicySchema.default('overwrite'),
    /** Policies by object type, e.g. `{ "cms.article": "hold" }`. */
    objectTypes: z.record(z.string().min(1).max(100), ConflictPolicySchema).default({}),
  })
  .strict();
/** Parsed conflict settings. */
export type StagingConflictSettings = z.infer<typeof StagingConflictSettingsSchema>;

/** Receiver settings (the target side). */
export const StagingReceiverSettingsSchema = z
  .object({
    /** How far a request's timestamp may be from this node's clock, either way, in seconds. */
    timestampToleranceSeconds: z.number().int().min(1).default(300),
    /** Largest request body accepted, in bytes; larger ones are answered 413. */
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024),
    sources: z.array(StagingSourceSchema).default([]),
    conflicts: StagingConflictSettingsSchema.default(StagingConflictSettingsSchema.parse({})),
  })
  .strict();

/** The `staging` section of the config. */
export const StagingSettingsSchema = z
  .object({
    /** Log a task for every change of a staged object (Kentico's "Log staging changes"). */
    logChanges: z.boolean().default(true),
    /** Log changes made by applying received tasks, for further servers (the origin chain travels with them). */
    logReceivedChanges: z.boolean().default(false),
    /** Object types never logged, e.g. `cms.article`. */
    excludedObjectTypes: z.array(z.string().min(1)).default([]),
    /** Tasks sent per request. */
    batchSize: z.number().int().min(1).max(10_000).default(100),
    /** Batches on the wire to one server at once during a run (order per object holds through the leases). */
    maxInFlight: z.number().int().min(1).max(16).default(2),
    /** How long to wait for a target's reply, in ms. */
    requestTimeoutMs: z.number().int().min(100).default(30_000),
    /** How long a claimed synchronization row stays leased without a heartbeat, in ms. */
    leaseMs: z.number().int().min(1000).default(60_000),
    retry: RetryPolicySchema.default(RetryPolicySchema.parse({})),
    receiver: StagingReceiverSettingsSchema.default(StagingReceiverSettingsSchema.parse({})),
    /** `receivedTaskRetentionDays` (default 30, 0: for ever) and `receivedTaskPruneIntervalMs` of its ledger. */
    ...ReceivedTaskRetentionSchema.shape,
  })
  .strict();

/** Parsed `staging` settings. */
export type StagingSettings = z.infer<typeof StagingSettingsSchema>;
/** Token of the parsed `staging` settings. */
export const StagingSettings = Symbol('StagingSettings');

/** One target server in the `servers` config section. */
export const ServerConfigSchema = z
  .object({
    /** Unique name; use the target's `nodeName`, so changes it sends back are recognised (loop prevention). */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore')
      .max(100),
    displayName: z.string().min(1).max(200).optional(),
    /** Base URL of the target node, e.g. `https://qa.example.com`. */
    url: z.url({ protocol: /^https?$/ }),
    enabled: z.boolean().default(true),
    /** Shared secret, by reference (`env:NAME`); checked at start, stored as the reference only. */
    secret: SecretRef,
  })
  .strict();

/**
 * The `servers` config section: target servers upserted into `staging_server` at start. The kernel hands an
 * absent section over as `{}`, which counts as no servers.
 */
export const ServersSettingsSchema = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0
      ? []
      : value,
  z.array(ServerConfigSchema),
);
/** Parsed `servers` settings. */
export type ServersSettings = z.infer<typeof ServersSettingsSchema>;
/** Token of the parsed `servers` settings. */
export const ServersSettings = Symbol('ServersSettings');
