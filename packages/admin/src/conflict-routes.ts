// `GET /conflicts` (filters, newest first, keyset pages), `GET /conflicts/:id` (the three versions, field by field)
// and `POST /conflicts/:id/resolve`: the conflicts this node (a target) met, as `syncbus conflicts` shows them.
import { inject, injectable, ObjectApplyError, SyncbusError } from '@syncbus/core';
import {
  ADMIN_PREFIX,
  encodeCursor,
  ErrorBody,
  readPageRequest,
  type AdminRouteContext,
  type AdminRoutes,
} from '@syncbus/server';
import { ConflictResolvedError, StagingConflicts, UnknownConflictError } from '@syncbus/staging';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  ConflictDetail,
  ConflictListQuery,
  ConflictPage,
  ConflictParams,
  ResolveConflictRequest,
} from './conflict-schemas';
import { conflictDetail, conflictSummary } from './conflict-view';

/** The conflicts resource: the same `StagingConflicts` the CLI uses. */
@injectable()
export class ConflictRoutes implements AdminRoutes {
  constructor(@inject(StagingConflicts) private readonly conflicts: StagingConflicts) {}

  register(app: FastifyInstance, { maxPageSize, audit, publish }: AdminRouteContext): void {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      `${ADMIN_PREFIX}/conflicts`,
      {
        schema: {
          tags: ['conflicts'],
          description: 'Conflicts this node met as a target, newest first.',
          querystring: ConflictListQuery,
          response: { 200: ConflictPage, 400: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        const { cursor, limit: asked, source, ...filter } = request.query;
        const page = readPageRequest({ limit: asked, cursor }, maxPageSize);
        // The shared cursor names a row position; a conflict's is its id (the list is newest first, so the
        // next page is the ids below it). One row more than asked says whether another page follows.
        const rows = await this.conflicts.list({
          ...filter,
          sourceServer: source,
          beforeId: page.after?.taskId,
          limit: page.limit + 1,
        });
        const items = rows.slice(0, page.limit);
        const last = items[items.length - 1];
        return {
          items: items.map(conflictSummary),
          nextCursor:
            rows.length > page.limit ? encodeCursor({ taskId: last.id, synchronizationId: 0 }) : null,
        };
      },
    );
    typed.get(
      `${ADMIN_PREFIX}/conflicts/:id`,
      {
        schema: {
          tags: ['conflicts'],
          description: 'One conflict: its base, source and target versions, and the fields that differ.',
          params: ConflictParams,
          response: { 200: ConflictDetail, 404: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        try {
          return conflictDetail(await this.conflicts.get(request.params.id));
        } catch (error) {
          if (!(error instanceof UnknownConflictError)) throw error;
          throw conflictNotFound(request.params.id);
        }
      },
    );
    typed.post(
      `${ADMIN_PREFIX}/conflicts/:id/resolve`,
      {
        schema: {
          tags: ['conflicts'],
          description:
            "Resolve a conflict: take the source's version, keep the target's, or merge by field (a field " +
            'changed on both sides is taken from the source). One transaction; a refusal changes nothing.',
          params: ConflictParams,
          body: ResolveConflictRequest,
          response: { 200: ConflictDetail, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
        },
        config: { role: 'operator' },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { take } = request.body;
        const actor = request.adminPrincipal!.name;
        const action = { actor, action: 'conflicts.resolve', target: { conflict: id, take } };
        let resolved;
        try {
          // The entry commits with the resolution: never a resolution without its entry.
          resolved = await this.conflicts.resolve(id, take, actor, (sql, after) =>
            audit.record(sql, {
              ...action,
              outcome: 'ok',
              detail: `${after.outcome} (${after.objectType}:${after.objectGuid})`,
            }),
          );
        } catch (error) {
          if (error instanceof UnknownConflictError)
            return audit.refuse(reply, action, conflictNotFound(id), 'no such conflict');
          // CONFLICT_RESOLVED (409); MERGE_IMPOSSIBLE, UNKNOWN_OBJECT_TYPE, or the version taken cannot be applied
          // here, e.g. a reference to an object this node lacks (422): the resolution rolled back, nothing changed.
          if (error instanceof ConflictResolvedError || error instanceof ObjectApplyError)
            return audit.refuse(reply, action, error);
          throw error;
        }
        publish({
          type: 'conflict.resolved',
          data: {
            id,
            outcome: resolved.outcome,
            objectType: resolved.objectType,
            objectGuid: resolved.objectGuid,
            actor,
          },
        });
        return conflictDetail(resolved);
      },
    );
  }
}

/** 404 `CONFLICT_NOT_FOUND` (the API's code; staging's own is `UNKNOWN_CONFLICT`). */
function conflictNotFound(id: number): SyncbusError {
  return new SyncbusError(
    'CONFLICT_NOT_FOUND',
    `No conflict ${id} exists on this node; GET ${ADMIN_PREFIX}/conflicts lists them.`,
    { kind: 'not-found' },
  );
}
