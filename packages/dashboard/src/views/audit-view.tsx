// Audit: who did what through the admin API, when, on what, and how it ended; newest first, paged back by id.
import { useState } from 'preact/hooks';
import type { AuditEntry } from '../api';
import { useApp } from '../app-context';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState } from '../components/error-state';
import { compactJson, formatTime } from '../format';
import { useLiveEvents, useThrottled } from '../live/use-live-events';
import { useResource } from '../use-resource';

const PAGE = 50;

export function AuditView() {
  const { client } = useApp();
  const [before, setBefore] = useState<number[]>([]);
  const current = before[before.length - 1];
  const audit = useResource<AuditEntry[]>(
    (signal) => client.get('/audit', { limit: PAGE, before: current }, signal),
    [current],
    current === undefined ? 5000 : undefined,
  );
  const refresh = useThrottled(() => current === undefined && audit.reload(), 1000);
  useLiveEvents(['task.retried', 'task.deleted', 'job.finished'], refresh);
  const entries = audit.data ?? [];
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Audit</h1>
      <p class="lead">
        Every operator action through the admin API, newest first: who by token name, and the outcome.
      </p>
      {audit.error && <ErrorState error={audit.error} what="The audit trail" onRetry={audit.reload} />}
      {!audit.data && !audit.error && <Loading what="the audit trail" />}
      {audit.data && entries.length === 0 && (
        <EmptyState title="No actions recorded yet.">
          Operator actions (retry, delete, synchronize, servers) appear here.
        </EmptyState>
      )}
      {entries.length > 0 && (
        <div class="table-scroll">
          <table>
            <caption>Audit trail, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatTime(entry.at)}</td>
                  <td>{entry.actor}</td>
                  <th scope="row">
                    <code>{entry.action}</code>
                  </th>
                  <td>
                    <code class="target">{compactJson(entry.target)}</code>
                  </td>
                  <td>
                    <span class={`badge badge-${entry.outcome === 'ok' ? 'ok' : 'refused'}`}>
                      {entry.outcome}
                    </span>
                  </td>
                  <td>{entry.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Audit pages">
        <button type="button" disabled={before.length === 0} onClick={() => setBefore([])}>
          Newest
        </button>
        <button
          type="button"
          disabled={entries.length < PAGE}
          onClick={() => setBefore([...before, entries[entries.length - 1].id])}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
