// The conflicts routes' input and output (docs/conflicts.md): the list's filters and pages, one conflict with its
// three versions and the fields that differ, and a resolution's body.
import { z } from 'zod';

/** Which version a resolution keeps, as `StagingConflicts.resolve` takes it. */
export const ConflictTake = z.enum(['source', 'target', 'merged']);

/** Filters and paging of the conflict list (newest first); unknown keys are refused. */
export const ConflictListQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional().describe('open: waiting for a person; absent: both'),
  source: z.string().min(1).max(100).optional().describe('the source server whose task met the conflict'),
  objectType: z.string().min(1).max(100).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('page size (default 50 or admin.maxPageSize if smaller; at most admin.maxPageSize)'),
  cursor: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
});

/** A conflict's id in the path. */
export const ConflictParams = z.strictObject({
  id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});

/** What `POST /conflicts/:id/resolve` takes. */
export const ResolveConflictRequest = z.strictObject({ take: ConflictTake });

/** A conflict as the list shows it. */
export const ConflictSummary = z
  .object({
    id: z.number().int(),
    sourceServer: z.string(),
    taskGuid: z.string(),
    taskType: z.string(),
    objectType: z.string(),
    objectGuid: z.string(),
    title: z.string(),
    kind: z.enum(['changed', 'created-on-both', 'deleted-on-target']),
    policy: z.string(),
    status: z.enum(['open', 'resolved']),
    outcome: z.string(),
    createdAt: z.number(),
    resolvedAt: z.number().nullable(),
    /** The admin token's name, `policy`, `handler`, `staging` (superseded) or a CLI user. */
    resolvedBy: z.string().nullable(),
  })
  .meta({ id: 'ConflictSummary' });

/** One page of the conflict list. */
export const ConflictPage = z
  .object({
    items: z.array(ConflictSummary),
    /** Pass as `cursor` for the next (older) page; null on the last one. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'ConflictPage' });

const version = z.record(z.string(), z.unknown()).nullable();

/** One field that differs between the versions; a key is absent where that version has no such field. */
export const ConflictField = z
  .object({
    field: z.string(),
    base: z.unknown().optional(),
    source: z.unknown().optional(),
    target: z.unknown().optional(),
    /** The source's value is not the base's (with no base: not the target's). */
    changedOnSource: z.boolean(),
    /** The target's value is not the base's (with no base: not the source's). */
    changedOnTarget: z.boolean(),
    /** Changed on both sides to different values: a merge takes the source's. */
    clash: z.boolean(),
  })
  .meta({ id: 'ConflictField' });

/** One conflict: the record, its three versions parsed, and the fields that differ, in field order. */
export const ConflictDetail = ConflictSummary.extend({
  /** The staged fields as staging last left them (null: no base), the task's (null: a delete), the target's
   * when the task arrived (null: it was not here). */
  versions: z.object({ base: version, source: version, target: version }),
  fields: z.array(ConflictField),
  /** Whether a person may resolve it now: held, or handled by its policy (a resolution can undo that). */
  resolvable: z.boolean(),
  /** Whether `take: 'merged'` can work: it needs a base and both versions. */
  mergeable: z.boolean(),
}).meta({ id: 'ConflictDetail' });
