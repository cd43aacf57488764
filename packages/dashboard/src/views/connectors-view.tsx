// Connectors: each connector with its outgoing and incoming queues, enabled or not, paused or not; or, on a node
// without the integration bus, a plain statement of that.
import { ApiError } from '../admin-client';
import type { Connector } from '../api';
import { useApp } from '../app-context';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState } from '../components/error-state';
import { connectorStateText } from '../connector-state';
import { formatAge } from '../format';
import { href } from '../router';
import { useResource } from '../use-resource';
import { ConnectorDetail } from './connector-detail';

export function ConnectorsView(props: { connector?: string }) {
  if (props.connector) return <ConnectorDetail name={props.connector} />;
  return <ConnectorList />;
}

function ConnectorList() {
  const { client } = useApp();
  const connectors = useResource<Connector[] | null>(
    (signal) =>
      client.get<Connector[]>('/integration/connectors', {}, signal).catch((error) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
    [],
    5000,
  );
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Connectors</h1>
      {connectors.error && (
        <ErrorState error={connectors.error} what="The connectors" onRetry={connectors.reload} />
      )}
      {connectors.data === undefined && !connectors.error && <Loading what="connectors" />}
      {connectors.data === null && (
        <EmptyState title="This node has no integration bus.">
          Its admin API has no connector routes: the node runs without the integration module, or with a
          version that does not serve them.
        </EmptyState>
      )}
      {connectors.data && connectors.data.length === 0 && (
        <EmptyState title="No connectors configured.">Add one in the config's connectors section.</EmptyState>
      )}
      {connectors.data && connectors.data.length > 0 && (
        <div class="table-scroll">
          <table>
            <caption>Connectors and their queues</caption>
            <thead>
              <tr>
                <th scope="col">Connector</th>
                <th scope="col">State</th>
                <th scope="col">Outgoing pending</th>
                <th scope="col">Outgoing failed</th>
                <th scope="col">Incoming pending</th>
                <th scope="col">Incoming failed</th>
                <th scope="col">Oldest pending</th>
              </tr>
            </thead>
            <tbody>
              {connectors.data.map((c) => (
                <tr key={c.name}>
                  <th scope="row">
                    <a href={href.connectors(c.name)}>{c.displayName}</a>
                  </th>
                  <td>{connectorStateText(c)}</td>
                  <td class="num">{c.outgoing.pending}</td>
                  <td class="num">{c.outgoing.failed}</td>
                  <td class="num">{c.incoming.pending}</td>
                  <td class="num">{c.incoming.failed}</td>
                  <td>{oldestText(c)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function oldestText(c: Connector): string {
  const times = [c.outgoing.oldestPendingAt, c.incoming.oldestPendingAt].filter(
    (t): t is number => t !== null,
  );
  return times.length === 0 ? '—' : formatAge(Date.now() - Math.min(...times));
}
