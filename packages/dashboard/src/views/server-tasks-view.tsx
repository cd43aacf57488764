// The tasks of one server (Kentico's "All tasks"): filters, keyset pages, checkboxes, the actions on them and
// pause / resume; delivered tasks leave the table live, from the event stream, without reloading.
import { useState } from 'preact/hooks';
import type { Job, Page, Server, StagingTaskRow } from '../api';
import { useApp, useCanAct } from '../app-context';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState, errorText } from '../components/error-state';
import { JobProgress } from '../components/job-progress';
import { PauseButton } from '../components/pause-button';
import { PAUSED_NOTICE_ID, ServerSummary } from '../components/server-summary';
import { keyset, KeysetPager } from '../components/keyset-pager';
import { isFiltered, TaskFilters, type TaskFilterValues } from '../components/task-filters';
import { TaskTable } from '../components/task-table';
import { useLiveEvents, useThrottled } from '../live/use-live-events';
import { href } from '../router';
import {
  deleteMatching,
  deleteTasks,
  retryAndSend,
  synchronize,
  synchronizeMatching,
} from '../staging-actions';
import { useResource } from '../use-resource';

export function ServerTasksView(props: { server: string }) {
  const { client, notify } = useApp();
  const canAct = useCanAct();
  const name = props.server;
  const [filter, setFilter] = useState<TaskFilterValues>({});
  const [pages, setPages] = useState(keyset.first());
  const [pageSize, setPageSize] = useState(50);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [job, setJob] = useState<{ job: Job; label: string } | null>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [logged, setLogged] = useState(0);
  const [busy, setBusy] = useState(false);

  const server = useResource<Server>(
    (signal) => client.get(`/servers/${encodeURIComponent(name)}`, {}, signal),
    [name],
    5000,
  );
  const cursor = keyset.cursor(pages);
  const tasks = useResource<Page<StagingTaskRow>>(
    (signal) => client.get('/staging/tasks', { ...filter, server: name, limit: pageSize, cursor }, signal),
    [name, JSON.stringify(filter), cursor, pageSize],
  );
  const refresh = useThrottled(() => {
    tasks.reload();
    server.reload();
  }, 700);

  const refreshServer = useThrottled(server.reload, 700);
  useLiveEvents(['task.delivered'], (event) => {
    if (event.data.server !== name) return;
    const taskId = Number(event.data.taskId);
    tasks.set((page) => ({ ...page, items: page.items.filter((t) => t.taskId !== taskId) }));
    setSelected((current) => {
      if (!current.has(taskId)) return current;
      const next = new Set(current);
      next.delete(taskId);
      return next;
    });
    refreshServer();
  });
  useLiveEvents(['task.failed'], (event) => {
    if (event.data.server !== name) return;
    tasks.set((page) => ({
      ...page,
      items: page.items.map((t) =>
        t.taskId === event.data.taskId ? { ...t, lastError: event.data.error } : t,
      ),
    }));
    refresh();
  });
  useLiveEvents(['task.retried', 'task.deleted'], refresh);
  useLiveEvents(['task.logged'], () => setLogged((n) => n + 1));

  const run = async (what: string, action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      notify(`${what}: ${errorText(error)}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  const ids = [...selected];
  const enabled = server.data?.enabled ?? true;
  const paused = server.data?.paused ?? false;
  /** Why Synchronize is off, for the buttons' description. */
  const blocked = !enabled ? 'server-disabled-hint' : paused ? PAUSED_NOTICE_ID : undefined;
  const filtered = isFiltered(filter);
  const scope = filtered ? 'matching the filter' : `waiting for ${name}`;

  const actions = canAct && (
    <div class="toolbar" role="toolbar" aria-label="Actions on tasks">
      <button
        type="button"
        disabled={busy || ids.length === 0 || !!blocked}
        aria-describedby={blocked}
        onClick={() =>
          run('Synchronize selected', async () => {
            setJob({
              job: await synchronize(client, name, ids),
              label: `Synchronizing ${ids.length} task(s)`,
            });
          })
        }
      >
        Synchronize selected{ids.length > 0 ? ` (${ids.length})` : ''}
      </button>
      <button
        type="button"
        disabled={busy || !!blocked}
        aria-describedby={blocked}
        onClick={() =>
          run('Synchronize all', async () => {
            const started = await synchronizeMatching(client, name, filter, filtered);
            if (started) setJob({ job: started, label: `Synchronizing all tasks ${scope}` });
            else notify('No pending task matches the filter; nothing to synchronize.');
          })
        }
      >
        Synchronize all
      </button>
      <button
        type="button"
        disabled={busy || ids.length === 0}
        onClick={() =>
          run('Retry selected', async () => {
            const { result, job: started } = await retryAndSend(client, name, ids, !blocked);
            notify(`Retried: ${result.message}`, 'success');
            if (started) setJob({ job: started, label: `Sending ${ids.length} retried task(s)` });
          })
        }
      >
        Retry selected
      </button>
      <button
        type="button"
        class="danger"
        disabled={busy || ids.length === 0}
        onClick={() =>
          setConfirm({
            title: `Delete ${ids.length} task(s)?`,
            message: `They will not be sent to ${name}. This cannot be undone.`,
            confirmLabel: 'Delete',
            onConfirm: () =>
              run('Delete selected', async () => {
                const result = await deleteTasks(client, name, ids);
                notify(`Deleted: ${result.message}`, 'success');
                setSelected(new Set());
                tasks.reload();
              }),
          })
        }
      >
        Delete selected
      </button>
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={() =>
          setConfirm({
            title: `Delete every task ${scope}?`,
            message: `Every task ${scope} now is removed from the queue of ${name}, on every page. This cannot be undone.`,
            confirmLabel: 'Delete all',
            onConfirm: () =>
              run('Delete all', async () => {
                const result = await deleteMatching(client, { ...filter, server: name });
                notify(`Deleted: ${result.message}`, 'success');
                setSelected(new Set());
                setPages(keyset.first());
                tasks.reload();
              }),
          })
        }
      >
        Delete all
      </button>
      {server.data && (
        <PauseButton
          kind="server"
          name={name}
          paused={paused}
          path={`/servers/${encodeURIComponent(name)}`}
          onChanged={server.reload}
        />
      )}
      {!enabled && (
        <p class="hint" id="server-disabled-hint">
          {name} is disabled: enable it under <a href={href.servers()}>Servers</a> to synchronize.
        </p>
      )}
    </div>
  );

  return (
    <section aria-labelledby="view-title">
      <p class="breadcrumb">
        <a href={href.overview()}>Overview</a> › Server
      </p>
      <h1 id="view-title">Tasks of {server.data?.displayName ?? name}</h1>
      {server.error && <ErrorState error={server.error} what={`Server ${name}`} onRetry={server.reload} />}
      {server.data && <ServerSummary server={server.data} canAct={canAct} />}
      <TaskFilters
        idPrefix="tasks-filter"
        onApply={(next) => {
          setFilter(next);
          setPages(keyset.first());
          setSelected(new Set());
        }}
      />
      {actions}
      {job && (
        <JobProgress
          key={job.job.id}
          job={job.job}
          label={job.label}
          onFinished={() => {
            tasks.reload();
            server.reload();
          }}
        />
      )}
      {logged > 0 && (
        <p class="notice">
          {logged} new task(s) logged since this list was loaded.{' '}
          <button
            type="button"
            onClick={() => {
              setLogged(0);
              tasks.reload();
              server.reload();
            }}
          >
            Show them
          </button>
        </p>
      )}
      {tasks.error && <ErrorState error={tasks.error} what="The task list" onRetry={tasks.reload} />}
      {!tasks.data && !tasks.error && <Loading what="tasks" />}
      {tasks.data &&
        (tasks.data.items.length === 0 ? (
          <EmptyState title={filtered ? 'No task matches the filter.' : `No tasks wait for ${name}.`}>
            {filtered
              ? 'Clear the filter to see every waiting task.'
              : 'Everything logged has been delivered.'}
          </EmptyState>
        ) : (
          <TaskTable
            caption={`Tasks waiting for ${name}, in logged order${filtered ? ' (filtered)' : ''}`}
            rows={tasks.data.items}
            keyOf={(t) => t.taskId}
            linkOf={(t) => href.task(t.taskId)}
            selection={canAct ? { selected, onChange: setSelected } : undefined}
          />
        ))}
      <div class="below-table">
        <KeysetPager
          label="Task pages"
          pageNumber={pages.trail.length + 1}
          hasPrevious={pages.trail.length > 0}
          hasNext={!!tasks.data?.nextCursor}
          onFirst={() => setPages(keyset.first())}
          onPrevious={() => setPages(keyset.previous(pages))}
          onNext={() => tasks.data?.nextCursor && setPages(keyset.next(pages, tasks.data.nextCursor))}
        />
        <div class="field field-inline">
          <label for="page-size">Tasks per page</label>
          <select
            id="page-size"
            value={String(pageSize)}
            onChange={(e) => {
              setPageSize(Number(e.currentTarget.value));
              setPages(keyset.first());
            }}
          >
            <option value="25">25</option>
            <option value="50">50</option>
            <option value="100">100</option>
          </select>
        </div>
      </div>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}
