// The staging actions the views share, as the admin API takes them: retry (and send again now), delete, and
// synchronize as a background job.
import type { AdminClient } from './admin-client';
import type { ActionResult, Job, Page, StagingTaskFilter, StagingTaskRow } from './api';

/** Most ids one synchronize request takes (the API's limit). */
const MAX_TASK_IDS = 10_000;

/** Sends what waits for `server` now (only `taskIds`, when given) as a job. */
export function synchronize(client: AdminClient, server: string, taskIds?: readonly number[]): Promise<Job> {
  return client.post<Job>('/staging/tasks/synchronize', taskIds ? { server, taskIds } : { server });
}

/**
 * Kentico's "Synchronize all" of a filtered list: every task the filter matches now, read in keyset pages; with no
 * filter, simply everything that waits for the server.
 */
export async function synchronizeMatching(
  client: AdminClient,
  server: string,
  filter: StagingTaskFilter,
  filtered: boolean,
): Promise<Job | undefined> {
  if (!filtered) return synchronize(client, server);
  const ids: number[] = [];
  let cursor: string | undefined;
  do {
    const page: Page<StagingTaskRow> = await client.get('/staging/tasks', {
      ...filter,
      server,
      status: 'pending',
      limit: 100,
      cursor,
    });
    ids.push(...page.items.map((t) => t.taskId));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && ids.length < MAX_TASK_IDS);
  return ids.length === 0 ? undefined : synchronize(client, server, ids.slice(0, MAX_TASK_IDS));
}

/**
 * Fresh attempts for the tasks' rows of `server`, then (if it takes tasks now: enabled and not paused) a job that
 * sends them now.
 */
export async function retryAndSend(
  client: AdminClient,
  server: string,
  taskIds: readonly number[],
  sendNow: boolean,
): Promise<{ result: ActionResult; job?: Job }> {
  const result = await client.post<ActionResult>('/staging/tasks/retry', { taskIds, server });
  if (!sendNow || result.affected === 0) return { result };
  return { result, job: await synchronize(client, server, taskIds) };
}

export function deleteTasks(client: AdminClient, server: string, taskIds: readonly number[]) {
  return client.post<ActionResult>('/staging/tasks/delete', { taskIds, server });
}

export function deleteMatching(client: AdminClient, filter: StagingTaskFilter) {
  return client.post<ActionResult>('/staging/tasks/delete', { filter });
}
