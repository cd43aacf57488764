// One task (Kentico's "View"): the object's data as logged, a diff against the object's previous task, the
// origin chain, and its status per server with attempts, last error and next attempt, with Retry and Delete.
import { useState } from 'preact/hooks';
import { ApiError } from '../admin-client';
import type { Job, Page, Server, StagingTaskDetail, StagingTaskRow } from '../api';
import { useApp, useCanAct } from '../app-context';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState, errorText } from '../components/error-state';
import { JobProgress } from '../components/job-progress';
import { SnapshotDiff } from '../components/snapshot-diff';
import { formatNextAttempt, formatTime } from '../format';
import { diffSnapshots } from '../json-diff';
import { useLiveEvents, useThrottled } from '../live/use-live-events';
import { href } from '../router';
import { deleteTasks, retryAndSend } from '../staging-actions';
import { useResource } from '../use-resource';

interface TaskView {
  readonly task: StagingTaskDetail;
  /** The object's previous task that still waits, with its data; undefined when there is none. */
  readonly previous?: StagingTaskDetail;
  readonly servers: Server[];
}

export function TaskDetailView(props: { taskId: number }) {
  const { client, node, notify } = useApp();
  const canAct = useCanAct();
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const view = useResource<TaskView | null>(
    async (signal) => {
      let task: StagingTaskDetail;
      try {
        task = await client.get<StagingTaskDetail>(`/staging/tasks/${props.taskId}`, {}, signal);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'TASK_NOT_FOUND') return null;
        throw error;
      }
      const [earlier, servers] = await Promise.all([
        client.get<Page<StagingTaskRow>>(
          '/staging/tasks',
          {
            objectType: task.objectType,
            objectGuid: task.objectGuid,
            loggedBefore: task.createdAt + 1,
            limit: 100,
          },
          signal,
        ),
        client.get<Server[]>('/servers', {}, signal),
      ]);
      const previousId = Math.max(0, ...earlier.items.map((t) => t.taskId).filter((id) => id < task.taskId));
      const previous =
        previousId > 0
          ? await client
              .get<StagingTaskDetail>(`/staging/tasks/${previousId}`, {}, signal)
              .catch(() => undefined)
          : undefined;
      return { task, previous, servers };
    },
    [props.taskId],
  );
  const refresh = useThrottled(view.reload, 500);
  useLiveEvents(['task.delivered', 'task.failed', 'task.retried', 'task.deleted'], (event) => {
    const ids: number[] = event.data.taskIds ?? [event.data.taskId];
    if (ids.includes(props.taskId)) refresh();
  });

  const act = async (what: string, action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      notify(`${what}: ${errorText(error)}`, 'error');
    }
  };

  if (view.error)
    return <ErrorState error={view.error} what={`Task #${props.taskId}`} onRetry={view.reload} />;
  if (view.data === undefined) return <Loading what={`task #${props.taskId}`} />;
  if (view.data === null) {
    return (
      <section aria-labelledby="view-title">
        <h1 id="view-title">Task #{props.taskId}</h1>
        <EmptyState title={`Task #${props.taskId} no longer waits for any server.`}>
          It was delivered everywhere or deleted. <a href={href.overview()}>Back to the overview</a>.
        </EmptyState>
      </section>
    );
  }
  const { task, previous, servers } = view.data;
  const origin = task.origin ?? [];
  /** Whether the server takes tasks now: enabled and not paused. */
  const sendableTo = (server: string) => {
    const target = servers.find((s) => s.name === server);
    return !!target && target.enabled && !target.paused;
  };
  return (
    <section aria-labelledby="view-title">
      <p class="breadcrumb">
        <a href={href.overview()}>Overview</a> › Task
      </p>
      <h1 id="view-title">
        Task #{task.taskId}: {task.title}
      </h1>
      <dl class="facts">
        <div>
          <dt>Task type</dt>
          <dd>{task.taskType}</dd>
        </div>
        <div>
          <dt>Object type</dt>
          <dd>{task.objectType}</dd>
        </div>
        <div>
          <dt>Object</dt>
          <dd>
            <code>{task.objectGuid}</code>
          </dd>
        </div>
        <div>
          <dt>Logged</dt>
          <dd>{formatTime(task.createdAt)}</dd>
        </div>
        <div>
          <dt>Users</dt>
          <dd>{task.users.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>Task groups</dt>
          <dd>{task.groups.join(', ') || '—'}</dd>
        </div>
      </dl>

      <h2>Origin</h2>
      {origin.length === 0 ? (
        <p>Made on this node ({node.nodeName}); it passed through no other server.</p>
      ) : (
        <ol class="origin" aria-label="Origin chain, oldest first">
          {origin.map((server) => (
            <li key={server}>{server}</li>
          ))}
          <li>{node.nodeName} (this node)</li>
        </ol>
      )}

      <h2>Status per server</h2>
      {job && (
        <JobProgress key={job.id} job={job} label="Sending the retried task" onFinished={view.reload} />
      )}
      <div class="table-scroll">
        <table>
          <caption>Servers this task waits for</caption>
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Next attempt</th>
              {canAct && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {task.synchronizations.map((row) => (
              <tr key={row.synchronizationId}>
                <th scope="row">
                  <a href={href.serverTasks(row.server)}>{row.server}</a>
                </th>
                <td>
                  <span class={`badge badge-${row.status}`}>{row.status}</span>
                </td>
                <td class="num">{row.attempts}</td>
                <td class="error-text">{row.lastError ?? '—'}</td>
                <td>{row.status === 'failed' ? '—' : formatNextAttempt(row.nextAttemptAt)}</td>
                {canAct && (
                  <td class="row-actions">
                    <button
                      type="button"
                      aria-label={`Retry for ${row.server}`}
                      onClick={() =>
                        act('Retry', async () => {
                          const { result, job: started } = await retryAndSend(
                            client,
                            row.server,
                            [task.taskId],
                            sendableTo(row.server),
                          );
                          notify(`Retried: ${result.message}`, 'success');
                          if (started) setJob(started);
                          view.reload();
                        })
                      }
                    >
                      Retry
                    </button>
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Delete for ${row.server}`}
                      onClick={() =>
                        setConfirm({
                          title: `Delete task #${task.taskId} for ${row.server}?`,
                          message: `It will not be sent to ${row.server}. This cannot be undone.`,
                          confirmLabel: 'Delete',
                          onConfirm: () =>
                            act('Delete', async () => {
                              const result = await deleteTasks(client, row.server, [task.taskId]);
                              notify(`Deleted: ${result.message}`, 'success');
                              view.reload();
                            }),
                        })
                      }
                    >
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Changes against the previous task</h2>
      {previous ? (
        <SnapshotDiff changes={diffSnapshots(previous.data, task.data)} previousTaskId={previous.taskId} />
      ) : (
        <p>
          No earlier task of this object waits for any server (it was delivered already, or this is the
          first), so there is nothing to compare with.
        </p>
      )}

      <h2>Data as logged</h2>
      <pre class="json" tabIndex={0} aria-label="The object's data as logged">
        {JSON.stringify(task.data, null, 2)}
      </pre>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}
