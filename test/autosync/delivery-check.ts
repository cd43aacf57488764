// Records what a source logged and a target applied, and checks the promises of delivery between them: each task
// applied once, in order per object, and none lost (a task that was not applied was replaced by a later one).
import type { Kernel } from '@syncbus/core';
import { StagingEvents } from '@syncbus/staging';

/** A task as the source logged it. */
export interface LoggedTask {
  readonly id: number;
  readonly guid: string;
  readonly objectKey: string;
  readonly taskType: string;
}

/** A task as the target applied it. */
export interface AppliedTask {
  readonly guid: string;
  readonly objectKey: string;
}

/** Records every task `source` logs (its `logTask.after`). */
export function recordLogged(source: Kernel): LoggedTask[] {
  const logged: LoggedTask[] = [];
  source.get(StagingEvents).logTask.after.subscribe(({ task }) =>
    logged.push({
      id: task.id,
      guid: task.guid,
      objectKey: `${task.objectType}:${task.objectGuid}`,
      taskType: task.taskType,
    }),
  );
  return logged;
}

/** Records every task `target` applies (its `processTask.after`), in the order it applied them. */
export function recordApplied(target: Kernel): AppliedTask[] {
  const applied: AppliedTask[] = [];
  target
    .get(StagingEvents)
    .processTask.after.subscribe(({ task }) =>
      applied.push({ guid: task.guid, objectKey: `${task.objectType}:${task.objectGuid}` }),
    );
  return applied;
}

/** Which later task types replace a pending task of a type (the staging logger's collapsing). */
const REPLACED_BY: Record<string, readonly string[]> = { create: ['delete'], update: ['update', 'delete'] };

/**
 * Problems with a delivery, as readable lines (empty when all holds): a task applied twice or not logged by the
 * source, the applied order of an object not the logged order, or a logged task neither applied nor replaced.
 */
export function deliveryProblems(logged: readonly LoggedTask[], applied: readonly AppliedTask[]): string[] {
  const problems: string[] = [];
  const byGuid = new Map(logged.map((t) => [t.guid, t]));
  const seen = new Set<string>();
  const lastIdByObject = new Map<string, number>();
  for (const task of applied) {
    const source = byGuid.get(task.guid);
    if (!source) problems.push(`applied ${task.guid}, which the source never logged`);
    if (seen.has(task.guid)) problems.push(`applied ${task.guid} twice`);
    seen.add(task.guid);
    if (!source) continue;
    const last = lastIdByObject.get(source.objectKey) ?? 0;
    if (source.id < last) problems.push(`${source.objectKey}: task ${source.id} applied after task ${last}`);
    lastIdByObject.set(source.objectKey, Math.max(last, source.id));
  }
  for (const task of logged) {
    if (seen.has(task.guid)) continue;
    const replaced = logged.some(
      (later) =>
        later.objectKey === task.objectKey &&
        later.id > task.id &&
        seen.has(later.guid) &&
        (REPLACED_BY[task.taskType] ?? []).includes(later.taskType),
    );
    if (!replaced) problems.push(`${task.objectKey}: ${task.taskType} task ${task.id} was never applied`);
  }
  return problems;
}
