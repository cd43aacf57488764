// `GET /staging/tasks` (filters, logged order, keyset pages) and `GET /staging/tasks/:id` (data and per-server rows).
import { inject, injectable } from '@syncbus/core';
import { StagingTaskList, UnknownServerError } from '@syncbus/staging';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_PREFIX, type AdminRoutes } from './admin-api';
import { AdminSettings } from './admin-settings';
import { ErrorBody, StagingTaskDetail, StagingTaskPage, StagingTaskQuery, TaskParams } from './admin-schemas';
import { decodeCursor, encodeCursor } from './page-cursor';

/** Page size when the caller names none. */
export const DEFAULT_PAGE_SIZE = 50;

/** The staging tasks resource: the same `StagingTaskList` `syncbus tasks` uses. */
@injectable()
export class StagingTaskRoutes implements AdminRoutes {
  constructor(
    @inject(StagingTaskList) private readonly tasks: StagingTaskList,
    @inject(AdminSettings) private readonly settings: AdminSettings,
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
      async (request, reply) => {
        const max = this.settings.maxPageSize;
        const { cursor, limit = Math.min(DEFAULT_PAGE_SIZE, max), ...filter } = request.query;
        if (limit > max) {
          return reply.code(400).send({
            error: 'PAGE_TOO_LARGE',
            message: `limit is at most ${max} (admin.maxPageSize); page on with cursor.`,
          });
        }
        const after = cursor === undefined ? undefined : decodeCursor(cursor);
        if (cursor !== undefined && !after) {
          return reply.code(400).send({
            error: 'INVALID_CURSOR',
            message:
              'cursor is not one this API handed out; pass nextCursor of the previous page as it came.',
          });
        }
        try {
          // One row more than asked says whether another page follows, without counting.
          const rows = await this.tasks.list({ ...filter, after, limit: limit + 1 });
          const items = rows.slice(0, limit);
          return {
            items,
            nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null,
          };
        } catch (error) {
          if (!(error instanceof UnknownServerError)) throw error;
          return reply.code(404).send({ error: 'SERVER_NOT_FOUND', message: error.message });
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
      async (request, reply) => {
        const found = await this.tasks.show(request.params.id);
        if (!found) {
          return reply.code(404).send({
            error: 'TASK_NOT_FOUND',
            message: `No staging task ${request.params.id} waits for any server (it was delivered or deleted).`,
          });
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
          data: task.data,
          synchronizations,
        };
      },
    );
  }
}
