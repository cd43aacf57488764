// The integration routes' inputs and outputs, declared once: validated on the way in, serialized on the way out,
// and part of the admin API's OpenAPI document.
import { z } from 'zod';

export const ConnectorParams = z.strictObject({ name: z.string().min(1).max(200) });

const QueueView = z.object({
  pending: z.number().int(),
  failed: z.number().int(),
  /** When the oldest pending task was logged (epoch ms), null when none waits. */
  oldestPendingAt: z.number().nullable(),
});

export const ConnectorView = z
  .object({
    name: z.string(),
    displayName: z.string(),
    package: z.string().nullable(),
    version: z.string().nullable(),
    enabled: z.boolean(),
    /** Paused by an operator: tasks are logged for it and wait; `paused` then says so. */
    pausedByOperator: z.boolean(),
    /** Why the connector does not work now (config, init, a failed check or an outage); null when it works. */
    paused: z
      .object({
        reason: z.string(),
        /** When it is probed next (epoch ms); null when only a config change or a restart mends it. */
        until: z.number().nullable(),
      })
      .nullable(),
    outgoing: QueueView,
    incoming: QueueView,
  })
  .meta({ id: 'Connector' });

export const ConnectorCheck = z
  .object({ ok: z.boolean(), message: z.string() })
  .meta({ id: 'ConnectorCheck' });

const Direction = z.enum(['outgoing', 'incoming']);

/** An action's `filter` over a connector's queue; unknown keys are refused. */
const integrationTaskFilterFields = {
  status: z.enum(['pending', 'failed']).optional(),
  objectType: z.string().min(1).optional(),
  taskType: z.string().min(1).optional(),
  title: z.string().min(1).max(200).optional().describe('text the title contains, ignoring case'),
};

export const IntegrationTaskFilterSchema = z
  .strictObject(integrationTaskFilterFields)
  .meta({ id: 'IntegrationTaskFilter' });

export const IntegrationTaskQuery = z.strictObject({
  connector: z.string().min(1).max(200),
  direction: Direction.default('outgoing'),
  ...integrationTaskFilterFields,
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('page size (default 50; at most admin.maxPageSize)'),
  cursor: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
});

export const IntegrationTaskRow = z
  .object({
    taskId: z.number().int(),
    synchronizationId: z.number().int(),
    connector: z.string(),
    direction: Direction,
    taskType: z.string(),
    objectType: z.string(),
    objectGuid: z.string(),
    title: z.string(),
    createdAt: z.number(),
    status: z.string(),
    attempts: z.number().int(),
    nextAttemptAt: z.number(),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'IntegrationTaskRow' });

export const IntegrationTaskPage = z
  .object({ items: z.array(IntegrationTaskRow), nextCursor: z.string().nullable() })
  .meta({ id: 'IntegrationTaskPage' });

/** Chosen rows of a connector's queue, or every row a filter matches. */
export const IntegrationTaskSelection = z
  .strictObject({
    connector: z.string().min(1).max(200),
    direction: Direction.default('outgoing'),
    synchronizationIds: z.array(z.number().int().min(1)).min(1).max(1000).optional(),
    filter: IntegrationTaskFilterSchema.optional(),
  })
  .refine((s) => (s.synchronizationIds === undefined) !== (s.filter === undefined), {
    message: 'give either synchronizationIds (chosen rows) or filter (every row it matches), not both',
  });

export const SyncLogQuery = z.strictObject({
  connector: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).optional(),
  before: z.coerce.number().int().min(1).optional().describe('id of the last entry of the previous page'),
});

export const SyncLogEntryView = z
  .object({
    id: z.number().int(),
    connector: z.string(),
    taskId: z.number().int(),
    inbound: z.boolean(),
    taskType: z.string(),
    objectType: z.string(),
    objectGuid: z.string(),
    result: z.string(),
    error: z.string(),
    at: z.number(),
  })
  .meta({ id: 'SyncLogEntry' });
