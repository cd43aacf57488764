// One connector: its outgoing or incoming queue with the task table, filters and actions, its check() result,
// enable / disable, pause / resume, and the sync log (its errors).
import { useState } from 'preact/hooks';
import type {
  ActionResult,
  Connector,
  ConnectorCheck,
  ConnectorTaskRow,
  Direction,
  Page,
  SyncLogEntry,
} from '../api';
import { useApp, useCanAct } from '../app-context';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState, errorText } from '../components/error-state';
import { keyset, KeysetPager } from '../components/keyset-pager';
import { PauseButton } from '../components/pause-button';
import { isFiltered, TaskFilters, type TaskFilterValues } from '../components/task-filters';
import { TaskTable } from '../components/task-table';
import { formatTime } from '../format';
import { href } from '../router';
import { useResource } from '../use-resource';
import { connectorStateText } from '../connector-state';

export function ConnectorDetail(props: { name: string }) {
  const { client, notify } = useApp();
  const canAct = useCanAct();
  const name = props.name;
  const path = `/integration/connectors/${encodeURIComponent(name)}`;
  const [direction, setDirection] = useState<Direction>('outgoing');
  const [filter, setFilter] = useState<TaskFilterValues>({});
  const [pages, setPages] = useState(keyset.first());
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [check, setCheck] = useState<ConnectorCheck | null>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);

  const connector = useResource<Connector>((signal) => client.get(path, {}, signal), [name], 5000);
  const cursor = keyset.cursor(pages);
  const { objectType, taskType, status } = filter;
  const tasks = useResource<Page<ConnectorTaskRow>>(
    (signal) =>
      client.get(
        '/integration/tasks',
        { connector: name, direction, objectType, taskType, status, limit: 50, cursor },
        signal,
      ),
    [name, direction, JSON.stringify(filter), cursor],
    5000,
  );
  const log = useResource<SyncLogEntry[]>(
    (signal) => client.get('/integration/sync-log', { connector: name, limit: 20 }, signal),
    [name],
    5000,
  );

  const act = async (what: string, action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      notify(`${what}: ${errorText(error)}`, 'error');
    }
  };
  const queueAction = (verb: 'retry' | 'delete', body: object) =>
    act(verb === 'retry' ? 'Retry' : 'Delete', async () => {
      const result = await client.post<ActionResult>(`/integration/tasks/${verb}`, {
        connector: name,
        direction,
        ...body,
      });
      notify(result.message, 'success');
      setSelected(new Set());
      tasks.reload();
      connector.reload();
    });
  const ids = [...selected];
  const narrowed = { objectType, taskType, status };

  return (
    <section aria-labelledby="view-title">
      <p class="breadcrumb">
        <a href={href.connectors()}>Connectors</a> › Connector
      </p>
      <h1 id="view-title">Connector {connector.data?.displayName ?? name}</h1>
      {connector.error && (
        <ErrorState error={connector.error} what={`Connector ${name}`} onRetry={connector.reload} />
      )}
      {connector.data && (
        <p class="summary">
          {connectorStateText(connector.data)} · outgoing {connector.data.outgoing.pending} pending,{' '}
          {connector.data.outgoing.failed} failed · incoming {connector.data.incoming.pending} pending,{' '}
          {connector.data.incoming.failed} failed
        </p>
      )}
      <div class="toolbar" role="toolbar" aria-label="Connector actions">
        <button
          type="button"
          onClick={() =>
            act('Check', async () => setCheck(await client.post<ConnectorCheck>(`${path}/check`)))
          }
        >
          Check connection
        </button>
        {canAct && connector.data && (
          <button
            type="button"
            onClick={() =>
              act(connector.data!.enabled ? 'Disable' : 'Enable', async () => {
                await client.post<Connector>(`${path}/${connector.data!.enabled ? 'disable' : 'enable'}`);
                connector.reload();
              })
            }
          >
            {connector.data.enabled ? 'Disable' : 'Enable'}
          </button>
        )}
        {canAct && connector.data && (
          <PauseButton
            kind="connector"
            name={name}
            paused={connector.data.pausedByOperator}
            path={path}
            onChanged={() => {
              connector.reload();
              tasks.reload();
            }}
          />
        )}
      </div>
      {check && (
        <p class={check.ok ? 'notice notice-success' : 'notice notice-error'} role="status">
          Check {check.ok ? 'passed' : 'failed'}: {check.message}
        </p>
      )}

      <h2>Queue</h2>
      <div class="field field-inline">
        <label for="direction">Direction</label>
        <select
          id="direction"
          value={direction}
          onChange={(e) => {
            setDirection(e.currentTarget.value as Direction);
            setPages(keyset.first());
            setSelected(new Set());
          }}
        >
          <option value="outgoing">outgoing (to the external system)</option>
          <option value="incoming">incoming (from the external system)</option>
        </select>
      </div>
      <TaskFilters
        idPrefix="connector-filter"
        fields={['objectType', 'taskType', 'status']}
        onApply={(next) => {
          setFilter(next);
          setPages(keyset.first());
          setSelected(new Set());
        }}
      />
      {canAct && (
        <div class="toolbar" role="toolbar" aria-label="Actions on queued tasks">
          <button
            type="button"
            disabled={ids.length === 0}
            onClick={() => queueAction('retry', { synchronizationIds: ids })}
          >
            Retry selected
          </button>
          <button
            type="button"
            onClick={() => queueAction('retry', { filter: { ...narrowed, status: 'failed' } })}
          >
            Retry all failed
          </button>
          <button
            type="button"
            class="danger"
            disabled={ids.length === 0}
            onClick={() =>
              setConfirm({
                title: `Delete ${ids.length} task(s)?`,
                message: `They leave the ${direction} queue of ${name}. This cannot be undone.`,
                confirmLabel: 'Delete',
                onConfirm: () => queueAction('delete', { synchronizationIds: ids }),
              })
            }
          >
            Delete selected
          </button>
          <button
            type="button"
            class="danger"
            onClick={() =>
              setConfirm({
                title: `Delete every task ${isFiltered(filter) ? 'matching the filter' : 'in the queue'}?`,
                message: `Every such task leaves the ${direction} queue of ${name}. This cannot be undone.`,
                confirmLabel: 'Delete all',
                onConfirm: () => queueAction('delete', { filter: narrowed }),
              })
            }
          >
            Delete all
          </button>
        </div>
      )}
      {tasks.error && <ErrorState error={tasks.error} what="The queue" onRetry={tasks.reload} />}
      {!tasks.data && !tasks.error && <Loading what="the queue" />}
      {tasks.data &&
        (tasks.data.items.length === 0 ? (
          <EmptyState title={`The ${direction} queue of ${name} is empty.`} />
        ) : (
          <TaskTable
            caption={`${direction === 'outgoing' ? 'Outgoing' : 'Incoming'} tasks of ${name}, in logged order`}
            rows={tasks.data.items}
            keyOf={(t) => t.synchronizationId}
            selection={canAct ? { selected, onChange: setSelected } : undefined}
          />
        ))}
      <KeysetPager
        label="Queue pages"
        pageNumber={pages.trail.length + 1}
        hasPrevious={pages.trail.length > 0}
        hasNext={!!tasks.data?.nextCursor}
        onFirst={() => setPages(keyset.first())}
        onPrevious={() => setPages(keyset.previous(pages))}
        onNext={() => tasks.data?.nextCursor && setPages(keyset.next(pages, tasks.data.nextCursor))}
      />

      <h2>Sync log</h2>
      <p class="hint">
        The errors of this connector and of the incoming tasks it brought, newest first; a later success does
        not remove them.
      </p>
      {log.error && <ErrorState error={log.error} what="The sync log" onRetry={log.reload} />}
      {log.data && log.data.length === 0 && <EmptyState title="No errors logged for this connector." />}
      {log.data && log.data.length > 0 && (
        <div class="table-scroll">
          <table>
            <caption>Latest errors of {name}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Direction</th>
                <th scope="col">Task</th>
                <th scope="col">Object</th>
                <th scope="col">Result</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {log.data.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatTime(entry.at)}</td>
                  <td>{entry.inbound ? 'incoming' : 'outgoing'}</td>
                  <td>
                    #{entry.taskId} {entry.taskType}
                  </td>
                  <th scope="row">
                    {entry.objectType} <code>{entry.objectGuid}</code>
                  </th>
                  <td>{entry.result}</td>
                  <td class="error-text">{entry.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}
