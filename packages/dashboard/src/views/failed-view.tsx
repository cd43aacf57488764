// Everything that failed, across servers and connectors, grouped by error message, with Retry all in a group.
import { useState } from 'preact/hooks';
import { ApiError, type AdminClient } from '../admin-client';
import type {
  ActionResult,
  Connector,
  ConnectorTaskRow,
  Direction,
  Job,
  Page,
  Server,
  StagingTaskRow,
} from '../api';
import { useApp, useCanAct } from '../app-context';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState, errorText } from '../components/error-state';
import { JobProgress } from '../components/job-progress';
import { useLiveEvents, useThrottled } from '../live/use-live-events';
import { href } from '../router';
import { retryAndSend } from '../staging-actions';
import { useResource } from '../use-resource';

/** One failed task, staging or connector, as the groups list it. */
interface FailedRow {
  readonly key: string;
  /** `server production`, `connector crm (outgoing)`. */
  readonly queue: string;
  readonly taskId: number;
  readonly title: string;
  readonly objectType: string;
  readonly attempts: number;
  readonly error: string;
  readonly staging?: StagingTaskRow;
  readonly connector?: ConnectorTaskRow;
}

/** Most failed rows read per queue (the groups say when there are more). */
const MAX_ROWS = 1000;

export function FailedView() {
  const { client, notify } = useApp();
  const canAct = useCanAct();
  const [jobs, setJobs] = useState<Job[]>([]);
  const failed = useResource(
    async (signal) => {
      const [staging, servers, connectorRows] = await Promise.all([
        readAll<StagingTaskRow>(client, '/staging/tasks', { status: 'failed' }, signal),
        client.get<Server[]>('/servers', {}, signal),
        failedConnectorRows(client, signal),
      ]);
      const rows: FailedRow[] = [
        ...staging.map((t) => ({
          key: `s-${t.synchronizationId}`,
          queue: `server ${t.server}`,
          taskId: t.taskId,
          title: t.title,
          objectType: t.objectType,
          attempts: t.attempts,
          error: t.lastError ?? '(no message)',
          staging: t,
        })),
        ...(connectorRows ?? []).map((t) => ({
          key: `c-${t.synchronizationId}`,
          queue: `connector ${t.connector} (${t.direction})`,
          taskId: t.taskId,
          title: t.title,
          objectType: t.objectType,
          attempts: t.attempts,
          error: t.lastError ?? '(no message)',
          connector: t,
        })),
      ];
      const groups = new Map<string, FailedRow[]>();
      for (const row of rows) groups.set(row.error, [...(groups.get(row.error) ?? []), row]);
      return {
        groups: [...groups.entries()].sort((a, b) => b[1].length - a[1].length),
        servers,
        hasIntegration: connectorRows !== null,
      };
    },
    [],
    10_000,
  );
  const refresh = useThrottled(failed.reload, 700);
  useLiveEvents(['task.failed', 'task.retried', 'task.deleted', 'task.delivered'], refresh);

  const retryGroup = async (rows: FailedRow[]) => {
    try {
      const byServer = new Map<string, number[]>();
      const byConnector = new Map<string, { connector: string; direction: Direction; ids: number[] }>();
      for (const row of rows) {
        if (row.staging)
          byServer.set(row.staging.server, [...(byServer.get(row.staging.server) ?? []), row.taskId]);
        if (row.connector) {
          const key = `${row.connector.connector}/${row.connector.direction}`;
          const entry = byConnector.get(key) ?? {
            connector: row.connector.connector,
            direction: row.connector.direction,
            ids: [],
          };
          entry.ids.push(row.connector.synchronizationId);
          byConnector.set(key, entry);
        }
      }
      let affected = 0;
      const started: Job[] = [];
      for (const [server, ids] of byServer) {
        const target = failed.data?.servers.find((s) => s.name === server);
        const sendNow = !!target && target.enabled && !target.paused;
        const { result, job } = await retryAndSend(client, server, ids, sendNow);
        affected += result.affected;
        if (job) started.push(job);
      }
      for (const { connector, direction, ids } of byConnector.values()) {
        const result = await client.post<ActionResult>('/integration/tasks/retry', {
          connector,
          direction,
          synchronizationIds: ids,
        });
        affected += result.affected;
      }
      notify(`Retried ${affected} task(s).`, 'success');
      setJobs(started);
      failed.reload();
    } catch (error) {
      notify(`Retry: ${errorText(error)}`, 'error');
    }
  };

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Failed</h1>
      <p class="lead">
        Tasks a target or connector refused until their attempts ran out, across every server and connector,
        grouped by the error.
      </p>
      {jobs.map((job) => (
        <JobProgress key={job.id} job={job} label="Sending retried tasks" onFinished={failed.reload} />
      ))}
      {failed.error && <ErrorState error={failed.error} what="The failed tasks" onRetry={failed.reload} />}
      {!failed.data && !failed.error && <Loading what="failed tasks" />}
      {failed.data && failed.data.groups.length === 0 && (
        <EmptyState title="Nothing has failed.">
          Tasks a target refuses on every attempt would be listed here, grouped by their error.
        </EmptyState>
      )}
      {failed.data?.groups.map(([error, rows], index) => (
        <section class="group" key={error} aria-labelledby={`group-${index}`}>
          <header>
            <h2 id={`group-${index}`}>
              <span class="group-count">{rows.length} task(s)</span> <span class="error-text">{error}</span>
            </h2>
            {canAct && (
              <button
                type="button"
                onClick={() => void retryGroup(rows)}
                aria-label={`Retry all ${rows.length} in this group`}
              >
                Retry all in this group
              </button>
            )}
          </header>
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">Tasks that failed with: {error}</caption>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col">Task</th>
                  <th scope="col">Title</th>
                  <th scope="col">Object type</th>
                  <th scope="col">Attempts</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key}>
                    <td>
                      {row.staging ? (
                        <a href={href.serverTasks(row.staging.server)}>{row.queue}</a>
                      ) : (
                        <a href={href.connectors(row.connector!.connector)}>{row.queue}</a>
                      )}
                    </td>
                    <td class="num">#{row.taskId}</td>
                    <th scope="row">
                      {row.staging ? <a href={href.task(row.taskId)}>{row.title}</a> : row.title}
                    </th>
                    <td>{row.objectType}</td>
                    <td class="num">{row.attempts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </section>
  );
}

/** Every row of a keyset-paged list, up to MAX_ROWS. */
async function readAll<T>(
  client: AdminClient,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.get<Page<T>>(path, { ...query, limit: 100, cursor }, signal);
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && rows.length < MAX_ROWS);
  return rows;
}

/** Failed rows of every connector's queues; null when the node has no integration bus. */
async function failedConnectorRows(
  client: AdminClient,
  signal: AbortSignal,
): Promise<ConnectorTaskRow[] | null> {
  let connectors: Connector[];
  try {
    connectors = await client.get<Connector[]>('/integration/connectors', {}, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
  const queues = connectors.flatMap((c) =>
    (['outgoing', 'incoming'] as const)
      .filter((d) => c[d].failed > 0)
      .map((d) => ({ connector: c.name, direction: d })),
  );
  const pages = await Promise.all(
    queues.map((q) =>
      readAll<ConnectorTaskRow>(client, '/integration/tasks', { ...q, status: 'failed' }, signal),
    ),
  );
  return pages.flat();
}
