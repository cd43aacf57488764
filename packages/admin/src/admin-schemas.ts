// Every admin route's input and output, declared once: validated on the way in, serialized on the way out, and
// the source of the OpenAPI document.
import { z } from 'zod';

// Shared by every route group, wherever it comes from.
export { ActionResult, ErrorBody } from '@syncbus/server';

/** What `GET /node` answers: the node, its role and processes, and the lag of every queue. */
export const NodeInfo = z
  .object({
    nodeName: z.string(),
    version: z.string(),
    database: z.enum(['sqlite', 'postgres']),
    uptimeSeconds: z.number(),
    /** One entry per staging server and per connector queue. */
    lag: z.array(
      z.object({
        kind: z.enum(['server', 'connector']),
        name: z.string(),
        direction: z.enum(['outgoing', 'incoming']).optional(),
        pending: z.number().int(),
        failed: z.number().int(),
        oldestPendingAt: z.number().nullable(),
        /** Seconds the oldest pending task has waited; 0 when none waits. */
        lagSeconds: z.number(),
      }),
    ),
  })
  .meta({ id: 'Node' });

/** A target server as the API shows it: its settings, state and queue totals; never its secret. */
export const ServerView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    displayName: z.string(),
    url: z.string(),
    enabled: z.boolean(),
    /** Paused by an operator: tasks are logged for it, nothing is sent until it is resumed. */
    paused: z.boolean(),
    pending: z.number().int(),
    failed: z.number().int(),
    /** When the oldest pending task was logged (epoch ms), null when none waits. */
    oldestPendingAt: z.number().nullable(),
  })
  .meta({ id: 'Server' });

/** The `:name` of a server route. */
export const ServerParams = z.strictObject({ name: z.string().min(1).max(200) });

/** A queued task's status as the API filters it. */
export const TaskStatus = z.enum(['pending', 'failed']);

/** The filters of the staging task list, shared by the list's query string and the actions' `filter`. */
const stagingTaskFilterFields = {
  server: z.string().min(1).optional(),
  objectType: z.string().min(1).optional(),
  objectGuid: z.string().min(1).max(200).optional().describe("the object's identity (tasks of one object)"),
  taskType: z.string().min(1).optional(),
  status: TaskStatus.optional(),
  user: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
  title: z.string().min(1).max(200).optional().describe('text the title contains, ignoring case'),
  loggedFrom: z.coerce.number().int().min(0).optional().describe('epoch ms, inclusive'),
  loggedBefore: z.coerce.number().int().min(0).optional().describe('epoch ms, exclusive'),
};

/** An action's `filter`: every task row it matches; unknown keys are refused. */
export const StagingTaskFilter = z.strictObject(stagingTaskFilterFields).meta({ id: 'StagingTaskFilter' });

/** Filters and paging of the staging task list; unknown keys are refused. */
export const StagingTaskQuery = z.strictObject({
  ...stagingTaskFilterFields,
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('page size (default 50 or admin.maxPageSize if smaller; at most admin.maxPageSize)'),
  cursor: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
});

/** One row of the staging task list: the task and its synchronization state for one server. */
export const StagingTaskRow = z
  .object({
    taskId: z.number().int(),
    synchronizationId: z.number().int(),
    server: z.string(),
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
  .meta({ id: 'StagingTaskRow' });

/** A page of staging task rows, with the cursor of the next page. */
export const StagingTaskPage = z
  .object({
    items: z.array(StagingTaskRow),
    /** Pass as `cursor` for the next page; null on the last one. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'StagingTaskPage' });

/** The `:id` of a task route. */
export const TaskParams = z.strictObject({ id: z.coerce.number().int().min(1) });

/** One task in full: its data, its state on every server, and where it came from. */
export const StagingTaskDetail = z
  .object({
    taskId: z.number().int(),
    taskType: z.string(),
    objectType: z.string(),
    objectGuid: z.string(),
    title: z.string(),
    createdAt: z.number(),
    users: z.array(z.string()),
    groups: z.array(z.string()),
    /** Servers the change passed through before this node logged it, oldest first (empty: made here). */
    origin: z.array(z.string()),
    /** The object as it was logged. */
    data: z.unknown(),
    /** One row per server the task still waits for. */
    synchronizations: z.array(StagingTaskRow),
  })
  .meta({ id: 'StagingTaskDetail' });

/**
 * What an action applies to: chosen ids as `GET /staging/tasks` lists them (optionally only their rows for one
 * server), or every row a filter matches (Kentico's "all").
 */
export const TaskSelection = z
  .strictObject({
    taskIds: z.array(z.number().int().min(1)).min(1).max(1000).optional(),
    filter: StagingTaskFilter.optional(),
    server: z.string().min(1).optional().describe('with taskIds: only their rows for this server'),
  })
  .refine((s) => (s.taskIds === undefined) !== (s.filter === undefined), {
    message: 'give either taskIds (chosen tasks) or filter (every task it matches), not both',
  });

/** Paging of the audit trail, newest first. */
export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).optional(),
  before: z.coerce.number().int().min(1).optional().describe('id of the last entry of the previous page'),
});

/** One entry of the audit trail: who did what, to what, and when. */
export const AuditEntryView = z
  .object({
    id: z.number().int(),
    at: z.number(),
    actor: z.string(),
    action: z.string(),
    target: z.unknown(),
    outcome: z.string(),
    detail: z.string(),
  })
  .meta({ id: 'AuditEntry' });

/** What `POST /staging/tasks/synchronize` sends: a server, and optionally only these tasks. */
export const SynchronizeRequest = z.strictObject({
  server: z.string().min(1).max(200),
  taskIds: z.array(z.number().int().min(1)).min(1).max(10_000).optional(),
});

/** The `:id` of a job route. */
export const JobParams = z.strictObject({ id: z.uuid() });

/** What a complete synchronization covers: every object of these types (default: every synchronized type). */
export const CompleteSynchronizationRequest = z.strictObject({
  objectTypes: z.array(z.string().min(1)).min(1).max(200).optional(),
});

/** A background job (a complete synchronization): its progress and outcome. */
export const JobView = z
  .object({
    id: z.string(),
    kind: z.string(),
    actor: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
    total: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    startedAt: z.number(),
    finishedAt: z.number().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'Job' });

/** Who the bearer token is (`GET /session`): the dashboard shows actions only to an operator. */
export const SessionView = z
  .object({ name: z.string(), role: z.enum(['viewer', 'operator']) })
  .meta({ id: 'Session' });
