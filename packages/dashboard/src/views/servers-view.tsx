// Servers: every target server, and for an operator add, edit, enable, disable, pause, resume, complete
// synchronization and remove. Secrets are references and are never shown.
import { useState } from 'preact/hooks';
import { ApiError } from '../admin-client';
import type { ActionResult, Job, Server } from '../api';
import { useApp, useCanAct } from '../app-context';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState, errorText } from '../components/error-state';
import { JobProgress } from '../components/job-progress';
import { PauseButton } from '../components/pause-button';
import { ServerForm, type ServerInput } from '../components/server-form';
import { href } from '../router';
import { useResource } from '../use-resource';

export function ServersView() {
  const { client, notify } = useApp();
  const canAct = useCanAct();
  const [editing, setEditing] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [job, setJob] = useState<{ job: Job; server: string } | null>(null);
  const servers = useResource<Server[]>((signal) => client.get('/servers', {}, signal), [], 5000);

  const act = async (what: string, action: () => Promise<void>) => {
    try {
      await action();
      servers.reload();
    } catch (error) {
      notify(`${what}: ${errorText(error)}`, 'error');
    }
  };
  const path = (name: string) => `/servers/${encodeURIComponent(name)}`;
  const submitError = (error: unknown) =>
    new Error(error instanceof ApiError ? `${error.code}: ${error.message}` : (error as Error).message);

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Servers</h1>
      <p class="lead">
        The target servers this node stages to. Secrets are references (env:NAME) and are never shown.
      </p>
      {job && (
        <JobProgress
          key={job.job.id}
          job={job.job}
          label={`Complete synchronization of ${job.server}`}
          onFinished={servers.reload}
        />
      )}
      {servers.error && <ErrorState error={servers.error} what="The servers" onRetry={servers.reload} />}
      {!servers.data && !servers.error && <Loading what="servers" />}
      {servers.data && servers.data.length === 0 && (
        <EmptyState title="No target servers yet.">
          {canAct ? 'Add one below.' : 'An operator can add one here, or in the config.'}
        </EmptyState>
      )}
      {servers.data && servers.data.length > 0 && (
        <div class="table-scroll">
          <table>
            <caption>Target servers</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Display name</th>
                <th scope="col">URL</th>
                <th scope="col">State</th>
                <th scope="col">Pending</th>
                <th scope="col">Failed</th>
                {canAct && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {servers.data.map((server) => (
                <tr
                  key={server.name}
                  class={!server.enabled ? 'row-disabled' : server.paused ? 'row-paused' : ''}
                >
                  <th scope="row">
                    <a href={href.serverTasks(server.name)}>{server.name}</a>
                  </th>
                  <td>{server.displayName}</td>
                  <td class="url">{server.url}</td>
                  <td>
                    <span class={`badge badge-${server.enabled ? 'enabled' : 'disabled'}`}>
                      {server.enabled ? 'enabled' : 'disabled'}
                    </span>{' '}
                    {server.paused && <span class="badge badge-paused">paused</span>}
                  </td>
                  <td class="num">{server.pending}</td>
                  <td class="num">{server.failed}</td>
                  {canAct && (
                    <td class="row-actions">
                      <button
                        type="button"
                        aria-label={`Edit ${server.name}`}
                        aria-expanded={editing === server.name}
                        onClick={() => setEditing(editing === server.name ? null : server.name)}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        aria-label={`${server.enabled ? 'Disable' : 'Enable'} ${server.name}`}
                        onClick={() =>
                          act(server.enabled ? 'Disable' : 'Enable', async () => {
                            const changed = await client.post<Server>(
                              `${path(server.name)}/${server.enabled ? 'disable' : 'enable'}`,
                            );
                            notify(
                              `${changed.name} is ${changed.enabled ? 'enabled' : 'disabled'}.`,
                              'success',
                            );
                          })
                        }
                      >
                        {server.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <PauseButton
                        kind="server"
                        name={server.name}
                        paused={server.paused}
                        path={path(server.name)}
                        onChanged={servers.reload}
                      />
                      <button
                        type="button"
                        aria-label={`Complete synchronization of ${server.name}`}
                        disabled={!server.enabled || server.paused}
                        title={
                          server.paused ? `${server.name} is paused: resume it to synchronize` : undefined
                        }
                        onClick={() =>
                          act('Complete synchronization', async () => {
                            const started = await client.post<Job>(
                              `${path(server.name)}/synchronize-all`,
                              {},
                            );
                            setJob({ job: started, server: server.name });
                          })
                        }
                      >
                        Complete synchronization
                      </button>
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Remove ${server.name}`}
                        onClick={() =>
                          setConfirm({
                            title: `Remove server ${server.name}?`,
                            message: `Its ${server.pending + server.failed} waiting task row(s) go with it. This cannot be undone.`,
                            confirmLabel: 'Remove',
                            onConfirm: () =>
                              act('Remove', async () => {
                                const result = await client.delete<ActionResult>(path(server.name));
                                notify(result.message, 'success');
                              }),
                          })
                        }
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canAct && editing && servers.data?.some((s) => s.name === editing) && (
        <section aria-labelledby="edit-title" class="panel">
          <h2 id="edit-title">Edit {editing}</h2>
          <ServerForm
            key={editing}
            server={servers.data.find((s) => s.name === editing)}
            onCancel={() => setEditing(null)}
            onSubmit={async (input: ServerInput) => {
              try {
                await client.patch<Server>(path(editing), input);
              } catch (error) {
                throw submitError(error);
              }
              notify(`${editing} saved.`, 'success');
              setEditing(null);
              servers.reload();
            }}
          />
        </section>
      )}
      {canAct && (
        <section aria-labelledby="add-title" class="panel">
          <h2 id="add-title">Add a server</h2>
          <ServerForm
            onSubmit={async (input: ServerInput) => {
              try {
                await client.post<Server>('/servers', input);
              } catch (error) {
                throw submitError(error);
              }
              notify(`${input.name} added.`, 'success');
              servers.reload();
            }}
          />
        </section>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}
