// The staging wire format (docs/staging-protocol.md), as zod schemas shared by the sender, receiver and benchmark.
import { HMAC_SIGNATURE_HEADER, HMAC_TIMESTAMP_HEADER } from '@syncbus/core';
import { z } from 'zod';

/**
 * The newest protocol version this package speaks. Version 2 adds the reply statuses `skipped` and `conflict` and
 * a task's optional `base`; version 1 (without them) is still spoken to and from older nodes (docs/staging-protocol.md,
 * "Versions").
 */
export const STAGING_PROTOCOL_VERSION = 2;
/** The oldest protocol version this package still speaks: every release of syncbus speaks it. */
export const OLDEST_STAGING_PROTOCOL_VERSION = 1;
/** Path of the receiver route, relative to a server's base URL. */
export const STAGING_TASKS_PATH = '/syncbus/staging/v1/tasks';
/** Header carrying the request time in unix seconds. */
export const TIMESTAMP_HEADER = HMAC_TIMESTAMP_HEADER;
/** Header carrying `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`. */
export const SIGNATURE_HEADER = HMAC_SIGNATURE_HEADER;
/**
 * Response header on every answer of the receiver route (replies and refusals alike): the newest protocol version
 * the receiver speaks. A node of a release before version 2 sends none, which means it speaks version 1 only.
 */
export const PROTOCOL_HEADER = 'x-syncbus-staging-protocol';

const wireTaskFields = {
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
};

/** One task on the wire (version 2: `base` allowed). */
export const StagingWireTaskSchema = z
  .object({ ...wireTaskFields, base: z.record(z.string(), z.unknown()).nullable().optional() })
  .strict();
/** One task in a version-1 request: as the releases before version 2 sent it, with no `base` (refused if there). */
const StagingWireTaskV1Schema = z.object(wireTaskFields).strict();

const source = z.object({ server: z.string().min(1).max(100) }).strict();

/**
 * A request body: `{ protocol, source: { server }, tasks: [...] }`, in version 2 or in version 1 (whose tasks carry
 * no `base`, exactly as a node before version 2 sends them). `protocol` is the version the body is written in.
 */
export const StagingRequestSchema = z.discriminatedUnion('protocol', [
  z.object({ protocol: z.literal(2), source, tasks: z.array(StagingWireTaskSchema).max(10_000) }).strict(),
  z.object({ protocol: z.literal(1), source, tasks: z.array(StagingWireTaskV1Schema).max(10_000) }).strict(),
]);
/** A parsed request body. */
export type StagingRequest = z.infer<typeof StagingRequestSchema>;

/** True for a protocol version this node speaks (`OLDEST_STAGING_PROTOCOL_VERSION` to `STAGING_PROTOCOL_VERSION`). */
export function isSpokenProtocol(version: unknown): version is 1 | 2 {
  return (
    typeof version === 'number' &&
    Number.isInteger(version) &&
    version >= OLDEST_STAGING_PROTOCOL_VERSION &&
    version <= STAGING_PROTOCOL_VERSION
  );
}

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

/**
 * A reply body: `{ protocol, results: [...] }`, one result per task in request order. `protocol` is the version
 * the reply is written in (the request's); a node before version 2 sends none (its replies are version 1).
 */
export const StagingReplySchema = z.object({
  protocol: z.number().int().optional(),
  results: z.array(StagingTaskResultSchema),
});
/** A parsed reply body. */
export type StagingReply = z.infer<typeof StagingReplySchema>;

/**
 * The results as a sender of protocol `version` can take them. A version-1 sender knows `applied`, `duplicate` and
 * `error` only (it refuses a reply with any other status as malformed, and its whole batch would wait), so:
 * - `skipped` becomes `duplicate`: nothing changed here and the ledger holds the task, which is what `duplicate`
 *   tells a version-1 sender (its row leaves the queue, as `skipped` would make it);
 * - `conflict` becomes `error`: the task is not applied and must come again once the conflict is resolved here,
 *   and an error is what a version-1 sender retries (with backoff, counting attempts) while holding back the
 *   object's later tasks. Once resolved, the next delivery is answered `duplicate`.
 * The message is kept, so the sender's row says which conflict it waits for.
 */
export function resultsForProtocol(
  results: readonly StagingTaskResult[],
  version: number,
): StagingTaskResult[] {
  if (version >= 2) return [...results];
  return results.map((r) =>
    r.status === 'skipped'
      ? { ...r, status: 'duplicate' }
      : r.status === 'conflict'
        ? { ...r, status: 'error' }
        : r,
  );
}
