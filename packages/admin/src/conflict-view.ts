// How the admin API shows a conflict record: its summary for the list, and for one conflict its three versions
// parsed with the fields that differ (`conflictFields`, as `syncbus conflicts show` compares them).
import { conflictFields, conflictVersions, isMergeable, isResolvable } from '@syncbus/staging/internal';
import { type StagingConflict } from '@syncbus/staging';
import type { z } from 'zod';
import type { ConflictDetail, ConflictSummary } from './conflict-schemas';

/** A conflict as the list shows it (no versions, no wire task). */
export function conflictSummary(c: StagingConflict): z.infer<typeof ConflictSummary> {
  return {
    id: c.id,
    sourceServer: c.sourceServer,
    taskGuid: c.taskGuid,
    taskType: c.taskType,
    objectType: c.objectType,
    objectGuid: c.objectGuid,
    title: c.title,
    kind: c.kind,
    policy: c.policy,
    status: c.status,
    outcome: c.outcome,
    createdAt: c.createdAt,
    resolvedAt: c.resolvedAt,
    resolvedBy: c.resolvedBy,
  };
}

/** One conflict with its versions parsed and the fields that differ between them (staging's one reading). */
export function conflictDetail(c: StagingConflict): z.infer<typeof ConflictDetail> {
  return {
    ...conflictSummary(c),
    versions: conflictVersions(c),
    fields: conflictFields(c),
    resolvable: isResolvable(c),
    mergeable: isMergeable(c),
  };
}
