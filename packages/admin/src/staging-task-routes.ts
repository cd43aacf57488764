// `GET /staging/tasks` (filters, logged order, keyset pages), `GET /staging/tasks/:id` (data and per-server rows),
// and the actions on chosen tasks: retry and delete.
import { inject, injectable } from '@syncbus/core';
import { type SqlExecutor } from '@syncbus/core/internal';
import { SynchronizationInfoProvider, UnknownServerError } from '@syncbus/staging';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_PREFIX, readPageRequest, toPage, type AdminRoutes } from '@syncbus/server';
import { AdminSettings } from './admin-settings';
import { AdminAudit } from './admin-audit';
import { serverNotFound, taskNotFound } from './admin-refusals';
import { AdminEventStream } from './admin-event-stream';
import {
  ActionResult,
  ErrorBody,
  StagingTaskDetail,
  StagingTaskPage,
  StagingTaskQuery,
  TaskParams,
  TaskSelection,
} from './admin-schemas';

/** The staging tasks resource: the same `SynchronizationInfoProvider` `syncbus tasks` uses. */
@injectable()
export class StagingTaskRoutes implements AdminRoutes {
  constructor(
    @inject(SynchronizationInfoProvider) private readonly synchronizations: SynchronizationInfoProvider,
    @inject(AdminSettings) private readonly settings: AdminSettings,
    @inject(AdminAudit) private readonly audit: AdminAudit,
    @inject(AdminEventStream) private readonly events: AdminEventStream,
  ) {}

  register(app: FastifyInstance): void {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      `${ADMIN_PREFIX}/staging/tasks`,
      {
        schema: {
          tags: ['staging'],
          querystring: StagingTaskQuery,
          response: { 200: StagingTaskPage, 400: ErrorBody, 404: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        const { cursor, limit: asked, ...filter } = request.query;
        const { limit, after } = readPageRequest({ limit: asked, cursor }, this.settings.maxPageSize);
        try {
          // One row more than asked says whether another page follows, without counting.
          return toPage(await this.synchronizations.list({ ...filter, after, limit: limit + 1 }), limit);
        } catch (error) {
          if (!(error instanceof UnknownServerError)) throw error;
          throw serverNotFound(error.message);
        }
      },
    );
    typed.get(
      `${ADMIN_PREFIX}/staging/tasks/:id`,
      {
        schema: {
          tags: ['staging'],
          params: TaskParams,
          response: { 200: StagingTaskDetail, 404: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        const found = await this.synchronizations.show(request.params.id);
        if (!found) {
          throw taskNotFound(
            `No staging task ${request.params.id} waits for any server (it was delivered or deleted).`,
          );
        }
        const { task, synchronizations } = found;
        return {
          taskId: task.id,
          taskType: task.taskType,
          objectType: task.objectType,
          objectGuid: task.objectGuid,
          title: task.title,
          createdAt: task.createdAt,
          users: task.users,
          groups: task.groups,
          origin: task.origin,
          data: task.data,
          synchronizations,
        };
      },
    );
    const actions = [
      {
        verb: 'retry',
        done: 'retried',
        act: this.synchronizations.retry.bind(this.synchronizations),
        actMatching: this.synchronizations.retryMatching.bind(this.synchronizations),
      },
      {
        verb: 'delete',
        done: 'deleted',
        act: this.synchronizations.delete.bind(this.synchronizations),
        actMatching: this.synchronizations.deleteMatching.bind(this.synchronizations),
      },
    ] as const;
    for (const { verb, done, act, actMatching } of actions) {
      typed.post(
        `${ADMIN_PREFIX}/staging/tasks/${verb}`,
        {
          schema: {
            tags: ['staging'],
            description:
              verb === 'retry'
                ? 'Make the tasks due now with fresh attempts (failed ones too).'
                : 'Give up on the tasks: their rows go, and each task once no server waits for it.',
            body: TaskSelection,
            response: { 200: ActionResult, 404: ErrorBody },
          },
          config: { role: 'operator' },
        },
        async (request, reply) => {
          const { taskIds, filter, server } = request.body;
          const actor = request.adminPrincipal!.name;
          const target = filter
            ? { filter }
            : { taskIds: taskIds!, ...(server === undefined ? {} : { server }) };
          const action = { actor, action: `staging.tasks.${verb}`, target };
          const audited = (sql: SqlExecutor, changed: number) =>
            this.audit.record(sql, { ...action, outcome: 'ok', detail: `${changed} row(s) ${done}` });
          let affected: number;
          try {
            if (filter) {
              // Every row the filter matches now, read in pages and changed in one transaction with its audit row.
              affected = await actMatching(filter, audited);
              if (affected === 0) {
                await this.audit.recordAlone({ ...action, outcome: 'ok', detail: 'nothing matched' });
                return { affected, message: 'no task matched the filter; nothing was changed' };
              }
            } else {
              // Every id must still wait (for that server): one delivered meanwhile refuses the whole action.
              const chosen = taskIds!; // the schema gives either ids or a filter
              const waiting = new Set(
                (await this.synchronizations.list({ taskIds: chosen, server, limit: 100_000 })).map(
                  (t) => t.taskId,
                ),
              );
              const missing = [...new Set(chosen)].filter((id) => !waiting.has(id));
              if (missing.length > 0) {
                const message =
                  `Task(s) ${missing.join(', ')} wait for ${server === undefined ? 'no server' : `no row of server '${server}'`} ` +
                  '(delivered or deleted meanwhile); nothing was changed. List them again and choose from what waits.';
                return this.audit.refuse(reply, action, taskNotFound(message));
              }
              affected = await act(chosen, server, audited);
            }
          } catch (error) {
            if (!(error instanceof UnknownServerError)) throw error;
            return this.audit.refuse(reply, action, serverNotFound(error.message));
          }
          this.events.publish({ type: `task.${done}`, data: { ...target, actor, affected } });
          return { affected, message: `${affected} row(s) ${done}` };
        },
      );
    }
  }
}
