// `POST /staging/tasks/synchronize` and `POST /servers/:name/synchronize-all` start background jobs; `GET /jobs/:id`
// follows one, `DELETE /jobs/:id` cancels it.
import { inject, injectable, ObjectTypes, SyncbusError } from '@syncbus/core';
import {
  ServerInfoProvider,
  StagingSynchronizer,
  StagingTaskRunnerFactory,
  SynchronizationInfoProvider,
  type StagingServer,
} from '@syncbus/staging';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_PREFIX, type AdminRoutes } from '@syncbus/server';
import { AdminAudit } from './admin-audit';
import { serverNotFound } from './admin-refusals';
import { AdminJobs, type JobControl } from './admin-jobs';
import {
  CompleteSynchronizationRequest,
  ErrorBody,
  JobParams,
  JobView,
  ServerParams,
  SynchronizeRequest,
} from './admin-schemas';

/** Jobs, and the action that starts them: Kentico's "Synchronize selected" and "Synchronize all". */
@injectable()
export class JobRoutes implements AdminRoutes {
  constructor(
    @inject(AdminJobs) private readonly jobs: AdminJobs,
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(SynchronizationInfoProvider) private readonly synchronizations: SynchronizationInfoProvider,
    @inject(StagingTaskRunnerFactory) private readonly runners: StagingTaskRunnerFactory,
    @inject(AdminAudit) private readonly audit: AdminAudit,
    @inject(StagingSynchronizer) private readonly synchronizer: StagingSynchronizer,
    @inject(ObjectTypes) private readonly types: ObjectTypes,
  ) {}

  register(app: FastifyInstance): void {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.post(
      `${ADMIN_PREFIX}/staging/tasks/synchronize`,
      {
        schema: {
          tags: ['staging', 'jobs'],
          description:
            'Send what waits for a server now (only `taskIds`, when given), in logged order, as a background ' +
            'job: 202 with the job; follow it at GET /jobs/:id.',
          body: SynchronizeRequest,
          response: { 202: JobView, 404: ErrorBody, 409: ErrorBody },
        },
        config: { role: 'operator' },
      },
      async (request, reply) => {
        const { server: name, taskIds } = request.body;
        const action = {
          actor: request.adminPrincipal!.name,
          action: 'staging.tasks.synchronize',
          target: { server: name, ...(taskIds ? { taskIds } : {}) },
        };
        const server = await this.servers.getServer(name);
        const refusal = serverRefusal(name, server);
        if (refusal) return this.audit.refuse(reply, action, refusal);
        const total = await this.pending(server!, taskIds);
        const job = this.jobs.start('staging.synchronize', action.actor, total, (control) =>
          this.deliver(server!, taskIds, control),
        );
        await this.audit.recordAlone({
          ...action,
          outcome: 'ok',
          detail: `job ${job.id} started, ${total} task(s)`,
        });
        return reply.code(202).send(job);
      },
    );
    typed.post(
      `${ADMIN_PREFIX}/servers/:name/synchronize-all`,
      {
        schema: {
          tags: ['servers', 'jobs'],
          description:
            "Complete synchronization (Kentico's): log an update of every object (of `objectTypes`) for the " +
            'server, then send everything that waits for it, as a background job; 202 with the job.',
          params: ServerParams,
          body: CompleteSynchronizationRequest,
          response: { 202: JobView, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
        config: { role: 'operator' },
      },
      async (request, reply) => {
        const name = request.params.name;
        const objectTypes = request.body.objectTypes;
        const action = {
          actor: request.adminPrincipal!.name,
          action: 'servers.synchronize-all',
          target: { server: name, ...(objectTypes ? { objectTypes } : {}) },
        };
        const server = await this.servers.getServer(name);
        const refusal = serverRefusal(name, server);
        if (refusal) return this.audit.refuse(reply, action, refusal);
        const unknown = (objectTypes ?? []).filter((t) => !this.types.find(t));
        if (unknown.length > 0) {
          return this.audit.refuse(
            reply,
            action,
            new SyncbusError(
              'UNKNOWN_OBJECT_TYPE',
              `Not synchronized on this node: ${unknown.join(', ')} (known: ${this.types.types.join(', ') || 'none'}).`,
              { kind: 'invalid' },
            ),
          );
        }
        const job = this.jobs.start('staging.completeSynchronization', action.actor, 0, async (control) => {
          await this.synchronizer.synchronizeAll(server!.id, objectTypes);
          control.setTotal(await this.pending(server!));
          if (!control.signal.aborted) await this.deliver(server!, undefined, control);
        });
        await this.audit.recordAlone({ ...action, outcome: 'ok', detail: `job ${job.id} started` });
        return reply.code(202).send(job);
      },
    );
    typed.get(
      `${ADMIN_PREFIX}/jobs/:id`,
      {
        schema: { tags: ['jobs'], params: JobParams, response: { 200: JobView, 404: ErrorBody } },
        config: { role: 'viewer' },
      },
      async (request) => {
        const job = this.jobs.get(request.params.id);
        if (!job) throw unknownJob(request.params.id);
        return job;
      },
    );
    typed.delete(
      `${ADMIN_PREFIX}/jobs/:id`,
      {
        schema: {
          tags: ['jobs'],
          description: 'Cancel a job: it stops after the batch in hand; answers once it has.',
          params: JobParams,
          response: { 200: JobView, 404: ErrorBody },
        },
        config: { role: 'operator' },
      },
      async (request) => {
        const job = await this.jobs.cancel(request.params.id);
        if (!job) throw unknownJob(request.params.id);
        await this.audit.recordAlone({
          actor: request.adminPrincipal!.name,
          action: 'jobs.cancel',
          target: { job: job.id },
          outcome: 'ok',
          detail: `${job.status} after ${job.done} of ${job.total}`,
        });
        return job;
      },
    );
  }

  /** A person's synchronization of the server (backoff or not), stopping at the job's signal, reporting progress. */
  private async deliver(server: StagingServer, taskIds: readonly number[] | undefined, control: JobControl) {
    await this.runners.create(server.id).runSynchronization(taskIds, {
      dueNow: true,
      signal: control.signal,
      onProgress: (s) => control.progress(s.applied + s.duplicates, s.failed, s.error),
    });
  }

  /** Tasks pending for the server (of `taskIds`, when given) now: the job's total. */
  private async pending(server: StagingServer, taskIds?: readonly number[]): Promise<number> {
    if (!taskIds) return (await this.synchronizations.count(server.name)).pending;
    return (
      await this.synchronizations.list({ server: server.name, status: 'pending', taskIds, limit: 100_000 })
    ).length;
  }
}

/** Why a job cannot start for this server, or undefined when it can. */
function serverRefusal(name: string, server: StagingServer | undefined): SyncbusError | undefined {
  if (!server) return serverNotFound(`No staging server is named '${name}'.`);
  if (!server.enabled) {
    return new SyncbusError('SERVER_DISABLED', `Server '${name}' is disabled; enable it first.`, {
      kind: 'conflict',
    });
  }
  if (server.paused) {
    return new SyncbusError(
      'SERVER_PAUSED',
      `Server '${name}' is paused: its tasks are logged and wait. POST /servers/${name}/resume first.`,
      { kind: 'conflict' },
    );
  }
  return undefined;
}

function unknownJob(id: string): SyncbusError {
  return new SyncbusError(
    'JOB_NOT_FOUND',
    `No job ${id} on this node (jobs live in the process that started them; finished ones are kept for a while).`,
    { kind: 'not-found' },
  );
}
