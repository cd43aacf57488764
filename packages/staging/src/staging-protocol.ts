// The staging wire format (docs/staging-protocol.md), as zod schemas shared by the sender, receiver and benchmark.
import { HMAC_SIGNATURE_HEADER, HMAC_TIMESTAMP_HEADER } from '@syncbus/core';
import { z } from 'zod';

/** The protocol version this package speaks. */
export const STAGING_PROTOCOL_VERSION = 1;
/** Path of the receiver route, relative to a server's base URL. */
export const STAGING_TASKS_PATH = '/syncbus/staging/v1/tasks';
/** Header carrying the request time in unix seconds. */
export const TIMESTAMP_HEADER = HMAC_TIMESTAMP_HEADER;
/** Header carrying `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`. */
export const SIGNATURE_HEADER = HMAC_SIGNATURE_HEADER;

/** One task on the wire. */
export const StagingWireTaskSchema = z
  .object({
    guid: z.string().min(1).max(36),
    taskType: z.string().min(1).max(50),
    objectType: z.string().min(1).max(100),
    objectGuid: z.string().min(1).max(200),
    objectId: z.string().max(100).nullable(),
    title: z.string().max(400),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.number().int().nonnegative(),
    origin: z.array(z.string().min(1).max(100)).max(100),
    users: z.array(z.string().max(200)).max(1000),
    groups: z.array(z.string().max(200)).max(1000),
    base: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .strict();

/** A request body: `{ protocol: 1, source: { server }, tasks: [...] }`. */
export const StagingRequestSchema = z
  .object({
    protocol: z.literal(STAGING_PROTOCOL_VERSION),
    source: z.object({ server: z.string().min(1).max(100) }).strict(),
    tasks: z.array(StagingWireTaskSchema).max(10_000),
  })
  .strict();
/** A parsed request body. */
export type StagingRequest = z.infer<typeof StagingRequestSchema>;

/**
 * How the receiver answered one task: `applied`, `duplicate` (applied before), `error`, `skipped` (a conflict
 * whose policy kept the target's edit; it counts as delivered) or `conflict` (held on the target until a person
 * resolves it; the source keeps the task and the object's later tasks waiting). A message says more.
 */
export const StagingTaskResultSchema = z.object({
  guid: z.string(),
  status: z.enum(['applied', 'duplicate', 'error', 'skipped', 'conflict']),
  message: z.string().optional(),
});
/** One task's outcome. */
export type StagingTaskResult = z.infer<typeof StagingTaskResultSchema>;

/** A reply body: `{ results: [...] }`, one result per task in request order. */
export const StagingReplySchema = z.object({ results: z.array(StagingTaskResultSchema) });
/** A parsed reply body. */
export type StagingReply = z.infer<typeof StagingReplySchema>;
