// Overview: every target server and connector as a card, polled every few seconds and refreshed by live events.
import { ApiError } from '../admin-client';
import type { Connector, Page, Server, StagingTaskRow } from '../api';
import { useApp } from '../app-context';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState } from '../components/error-state';
import { QueueCard, type CardState } from '../components/queue-card';
import { useLiveEvents, useThrottled } from '../live/use-live-events';
import { href } from '../router';
import { useResource } from '../use-resource';

interface ServerCard {
  readonly server: Server;
  /** The error of the oldest waiting task: why delivery stopped, if it did. */
  readonly lastError: string | null;
}

interface Overview {
  readonly servers: ServerCard[];
  /** null: this node has no integration bus. */
  readonly connectors: Connector[] | null;
}

export function OverviewView() {
  const { client, history } = useApp();
  const overview = useResource<Overview>(
    async (signal) => {
      const [servers, connectors] = await Promise.all([
        client.get<Server[]>('/servers', undefined, signal),
        client.get<Connector[]>('/integration/connectors', undefined, signal).catch((error) => {
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        }),
      ]);
      const cards = await Promise.all(
        servers.map(async (server) => {
          history.pending(`server:${server.name}`, server.pending);
          if (server.pending === 0) return { server, lastError: null };
          // Seen live: the last batch's outcome is the truth; otherwise the oldest waiting task's error says it.
          const live = history.outcome(`server:${server.name}`);
          if (live) return { server, lastError: live.error };
          const first = await client.get<Page<StagingTaskRow>>(
            '/staging/tasks',
            { server: server.name, status: 'pending', limit: 1 },
            signal,
          );
          return { server, lastError: first.items[0]?.lastError ?? null };
        }),
      );
      for (const c of connectors ?? []) history.pending(`connector:${c.name}`, c.outgoing.pending);
      return { servers: cards, connectors };
    },
    [],
    3000,
  );
  const refresh = useThrottled(overview.reload, 500);
  useLiveEvents(['task.delivered', 'task.failed', 'task.retried', 'task.deleted', 'task.logged'], refresh);

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Overview</h1>
      {overview.error && !overview.data && (
        <ErrorState error={overview.error} what="The overview" onRetry={overview.reload} />
      )}
      {overview.error && overview.data && (
        <ErrorState
          error={overview.error}
          what="The latest refresh (the figures below are from before it)"
          onRetry={overview.reload}
        />
      )}
      {!overview.data && !overview.error && <Loading what="the overview" />}
      {overview.data && (
        <>
          <h2>Target servers</h2>
          {overview.data.servers.length === 0 ? (
            <EmptyState title="No target servers yet.">
              Add one under <a href={href.servers()}>Servers</a> (operator), or in the config's servers
              section.
            </EmptyState>
          ) : (
            <div class="cards">
              {overview.data.servers.map(({ server, lastError }) => (
                <QueueCard
                  key={server.name}
                  kind="Server"
                  name={server.name}
                  displayName={server.displayName}
                  historyKey={`server:${server.name}`}
                  state={serverState(server, lastError)}
                  note={server.paused ? PAUSED_NOTE : null}
                  pending={server.pending}
                  failed={server.failed}
                  oldestPendingAt={server.oldestPendingAt}
                  lastError={lastError}
                  href={href.serverTasks(server.name)}
                  linkLabel={`Tasks of ${server.displayName}`}
                />
              ))}
            </div>
          )}
          <h2>Connectors</h2>
          {overview.data.connectors === null ? (
            <EmptyState title="This node has no integration bus.">
              Connectors appear here on a node with the integration module and connectors configured.
            </EmptyState>
          ) : overview.data.connectors.length === 0 ? (
            <EmptyState title="No connectors configured." />
          ) : (
            <div class="cards">
              {overview.data.connectors.map((c) => (
                <QueueCard
                  key={c.name}
                  kind="Connector"
                  name={c.name}
                  displayName={c.displayName}
                  historyKey={`connector:${c.name}`}
                  state={connectorState(c)}
                  pending={c.outgoing.pending + c.incoming.pending}
                  failed={c.outgoing.failed + c.incoming.failed}
                  oldestPendingAt={oldest(c.outgoing.oldestPendingAt, c.incoming.oldestPendingAt)}
                  note={c.pausedByOperator ? PAUSED_NOTE : null}
                  lastError={c.pausedByOperator ? null : (c.paused?.reason ?? null)}
                  href={href.connectors(c.name)}
                  linkLabel={`Queues of ${c.displayName}`}
                />
              ))}
            </div>
          )}
        </>
      )}
    </section>
  );
}

const PAUSED_NOTE = 'Paused by an operator: tasks are logged and wait until it is resumed.';

/**
 * Disabled; paused by an operator; down (its oldest pending task carries an error: the last delivery failed);
 * failed tasks; or fine.
 */
function serverState(server: Server, lastError: string | null): CardState {
  if (!server.enabled) return 'disabled';
  if (server.paused) return 'paused';
  if (lastError) return 'down';
  if (server.failed > 0) return 'failing';
  return 'ok';
}

/** Disabled; paused by an operator; down (it does not work now: config, init, a failed check, an outage); ... */
function connectorState(connector: Connector): CardState {
  if (!connector.enabled) return 'disabled';
  if (connector.pausedByOperator) return 'paused';
  if (connector.paused) return 'down';
  if (connector.outgoing.failed + connector.incoming.failed > 0) return 'failing';
  return 'ok';
}

function oldest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
