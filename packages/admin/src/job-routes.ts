// `POST /staging/tasks/synchronize` starts a background job; `GET /jobs/:id` follows it, `DELETE /jobs/:id`
// cancels it.
import { inject, injectable } from '@syncbus/core';
import {
  ServerInfoProvider,
  StagingTaskList,
  StagingTaskRunnerFactory,
  type StagingServer,
} from '@syncbus/staging';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_PREFIX, type AdminRoutes } from './admin-api';
import { AdminAudit } from './admin-audit';
import { AdminJobs } from './admin-jobs';
import { ErrorBody, JobParams, JobView, SynchronizeRequest } from './admin-schemas';

/** Jobs, and the action that starts them: Kentico's "Synchronize selected" and "Synchronize all". */
@injectable()
export class JobRoutes implements AdminRoutes {
  constructor(
    @inject(AdminJobs) private readonly jobs: AdminJobs,
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(StagingTaskList) private readonly tasks: StagingTaskList,
    @inject(StagingTaskRunnerFactory) private readonly runners: StagingTaskRunnerFactory,
    @inject(AdminAudit) private readonly audit: AdminAudit,
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
        const action = { actor: request.adminPrincipal!.name, action: 'staging.tasks.synchronize' };
        const target = { server: name, ...(taskIds ? { taskIds } : {}) };
        const server = await this.servers.getServer(name);
        const refuse = async (status: 404 | 409, error: string, message: string) => {
          await this.audit.recordAlone({ ...action, target, outcome: error, detail: message });
          return reply.code(status).send({ error, message });
        };
        if (!server) return refuse(404, 'SERVER_NOT_FOUND', `No staging server is named '${name}'.`);
        if (!server.enabled) {
          return refuse(409, 'SERVER_DISABLED', `Server '${name}' is disabled; enable it first.`);
        }
        const total = await this.pending(server, taskIds);
        const job = this.jobs.start('staging.synchronize', action.actor, total, async (control) => {
          await this.runners.create(server.id).runSynchronization(taskIds, {
            signal: control.signal,
            onProgress: (s) => control.progress(s.applied + s.duplicates, s.failed, s.error),
          });
        });
        await this.audit.recordAlone({
          ...action,
          target,
          outcome: 'ok',
          detail: `job ${job.id} started, ${total} task(s)`,
        });
        return reply.code(202).send(job);
      },
    );
    typed.get(
      `${ADMIN_PREFIX}/jobs/:id`,
      {
        schema: { tags: ['jobs'], params: JobParams, response: { 200: JobView, 404: ErrorBody } },
        config: { role: 'viewer' },
      },
      async (request, reply) =>
        this.jobs.get(request.params.id) ?? reply.code(404).send(unknownJob(request.params.id)),
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
      async (request, reply) => {
        const job = await this.jobs.cancel(request.params.id);
        if (!job) return reply.code(404).send(unknownJob(request.params.id));
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

  /** Tasks pending for the server (of `taskIds`, when given) now: the job's total. */
  private async pending(server: StagingServer, taskIds?: readonly number[]): Promise<number> {
    if (!taskIds) return (await this.tasks.count(server.name)).pending;
    return (await this.tasks.list({ server: server.name, status: 'pending', taskIds, limit: 100_000 }))
      .length;
  }
}

function unknownJob(id: string) {
  return {
    error: 'JOB_NOT_FOUND',
    message: `No job ${id} on this node (jobs live in the process that started them; finished ones are kept for a while).`,
  };
}
