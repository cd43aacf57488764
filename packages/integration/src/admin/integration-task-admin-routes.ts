// The connector queues of the admin API: each connector's outgoing and incoming tasks in logged order with filters
// and keyset pages, retry and delete of chosen rows or of every row a filter matches, and the sync log.
import { inject, injectable, SyncbusError } from '@syncbus/core';
import { type SqlExecutor } from '@syncbus/core/internal';
import {
  ActionResult,
  ADMIN_PREFIX,
  ErrorBody,
  readPageLimit,
  readPageRequest,
  toPage,
  type AdminRouteContext,
  type AdminRoutes,
} from '@syncbus/server';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IntegrationConnectorRegistry } from '../connectors/integration-connector-registry';
import { IntegrationSyncLog } from '../processing/integration-sync-log';
import { IntegrationSynchronizations } from '../processing/integration-synchronizations';
import {
  IntegrationTaskPage,
  IntegrationTaskQuery,
  IntegrationTaskSelection,
  SyncLogEntryView,
  SyncLogQuery,
} from './integration-admin-schemas';

/** `GET /integration/tasks`, `POST /integration/tasks/retry|delete`, `GET /integration/sync-log`. */
@injectable()
export class IntegrationTaskAdminRoutes implements AdminRoutes {
  constructor(
    @inject(IntegrationSynchronizations) private readonly synchronizations: IntegrationSynchronizations,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationSyncLog) private readonly syncLog: IntegrationSyncLog,
  ) {}

  register(app: FastifyInstance, { audit, maxPageSize, publish }: AdminRouteContext): void {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      `${ADMIN_PREFIX}/integration/tasks`,
      {
        schema: {
          tags: ['integration'],
          querystring: IntegrationTaskQuery,
          response: { 200: IntegrationTaskPage, 400: ErrorBody, 404: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        const { cursor, limit: asked, ...filter } = request.query;
        if (!this.registry.find(filter.connector)) throw this.registry.notFound(filter.connector);
        const page = readPageRequest({ limit: asked, cursor }, maxPageSize);
        const rows = await this.synchronizations.page({
          ...filter,
          after: page.after,
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit);
      },
    );
    for (const verb of ['retry', 'delete'] as const) {
      const done = verb === 'retry' ? 'retried' : 'deleted';
      typed.post(
        `${ADMIN_PREFIX}/integration/tasks/${verb}`,
        {
          schema: {
            tags: ['integration'],
            description:
              verb === 'retry'
                ? 'Make the rows due now with fresh attempts (failed ones too).'
                : 'Give up on the rows: they and their tasks go and are never processed.',
            body: IntegrationTaskSelection,
            response: { 200: ActionResult, 404: ErrorBody },
          },
          config: { role: 'operator' },
        },
        async (request, reply) => {
          const { connector, direction, synchronizationIds, filter } = request.body;
          const actor = request.adminPrincipal!.name;
          const target = filter
            ? { connector, direction, filter }
            : { connector, direction, synchronizationIds: synchronizationIds! };
          const action = { actor, action: `integration.tasks.${verb}`, target };
          if (!this.registry.find(connector))
            return audit.refuse(reply, action, this.registry.notFound(connector));
          const audited = (sql: SqlExecutor, changed: number) =>
            audit.record(sql, { ...action, outcome: 'ok', detail: `${changed} row(s) ${done}` });
          let affected: number;
          if (filter) {
            const matching = { connector, direction, ...filter };
            affected =
              verb === 'retry'
                ? await this.synchronizations.retryMatching(matching, audited)
                : await this.synchronizations.deleteMatching(matching, audited);
            if (affected === 0) {
              await audit.recordAlone({ ...action, outcome: 'ok', detail: 'nothing matched' });
              return { affected, message: 'no row matched the filter; nothing was changed' };
            }
          } else {
            // Every id must still wait for this connector: one processed meanwhile refuses the whole action.
            const chosen = [...new Set(synchronizationIds!)];
            const waiting = new Set(
              (
                await this.synchronizations.page({
                  connector,
                  direction,
                  synchronizationIds: chosen,
                  limit: chosen.length,
                })
              ).map((r) => r.synchronizationId),
            );
            const missing = chosen.filter((id) => !waiting.has(id));
            if (missing.length > 0) {
              return audit.refuse(
                reply,
                action,
                new SyncbusError(
                  'TASK_NOT_FOUND',
                  `Row(s) ${missing.join(', ')} do not wait for connector '${connector}' (${direction}); they were ` +
                    'processed or deleted meanwhile. Nothing was changed; list the queue again and choose from what waits.',
                  { kind: 'not-found' },
                ),
              );
            }
            affected =
              verb === 'retry'
                ? await this.synchronizations.retry(connector, direction, chosen, audited)
                : await this.synchronizations.delete(connector, direction, chosen, audited);
          }
          publish({ type: `integration.task.${done}`, data: { ...target, actor, affected } });
          return { affected, message: `${affected} row(s) ${done}` };
        },
      );
    }
    typed.get(
      `${ADMIN_PREFIX}/integration/sync-log`,
      {
        schema: {
          tags: ['integration'],
          description: 'Errors of connectors and incoming tasks, newest first; kept after a later success.',
          querystring: SyncLogQuery,
          response: { 200: z.array(SyncLogEntryView), 400: ErrorBody, 404: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        const { connector: name, before } = request.query;
        const limit = readPageLimit(request.query.limit, maxPageSize, 'before');
        const connector = name === undefined ? undefined : this.registry.find(name);
        if (name !== undefined && !connector) throw this.registry.notFound(name);
        const names = new Map(this.registry.all().map((c) => [c.id, c.name]));
        const entries = await this.syncLog.page({ connectorId: connector?.id, before, limit });
        return entries.map((e) => ({
          id: e.id,
          connector: names.get(e.connectorId) ?? String(e.connectorId),
          taskId: e.taskId,
          inbound: e.inbound,
          taskType: e.taskType,
          objectType: e.objectType,
          objectGuid: e.objectGuid,
          result: e.result,
          error: e.error,
          at: e.createdAt.getTime(),
        }));
      },
    );
  }
}
