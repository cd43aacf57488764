// The staging target servers with what waits for each: list, get, add, edit, enable, disable and remove.
import { inject, injectable } from '@syncbus/core';
import {
  DuplicateServerError,
  ServerInfoProvider,
  SynchronizationInfoProvider,
  type StagingServer,
} from '@syncbus/staging';
import { ServerInputSchema } from '@syncbus/staging/internal';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ADMIN_PREFIX, type AdminRoutes } from '@syncbus/server';
import { AdminAudit } from './admin-audit';
import { serverNotFound } from './admin-refusals';
import { ActionResult, ErrorBody, ServerParams, ServerView } from './admin-schemas';

/** The servers resource: the same services `syncbus servers` uses. */
@injectable()
export class ServerRoutes implements AdminRoutes {
  constructor(
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(SynchronizationInfoProvider) private readonly synchronizations: SynchronizationInfoProvider,
    @inject(AdminAudit) private readonly audit: AdminAudit,
  ) {}

  register(app: FastifyInstance): void {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      `${ADMIN_PREFIX}/servers`,
      { schema: { tags: ['servers'], response: { 200: z.array(ServerView) } }, config: { role: 'viewer' } },
      async () => {
        const stats = await this.synchronizations.stats();
        return (await this.servers.getServers()).map((s) => view(s, stats.get(s.id)));
      },
    );
    typed.get(
      `${ADMIN_PREFIX}/servers/:name`,
      {
        schema: { tags: ['servers'], params: ServerParams, response: { 200: ServerView, 404: ErrorBody } },
        config: { role: 'viewer' },
      },
      async (request) => {
        const server = await this.servers.getServer(request.params.name);
        if (!server) {
          throw serverNotFound(
            `No staging server is named '${request.params.name}'; GET ${ADMIN_PREFIX}/servers lists them.`,
          );
        }
        return this.viewOf(server);
      },
    );
    typed.post(
      `${ADMIN_PREFIX}/servers`,
      {
        schema: {
          tags: ['servers'],
          description: 'Add a target server; `secret` is a reference (`env:NAME`), never the secret.',
          body: ServerInputSchema,
          response: { 201: ServerView, 409: ErrorBody },
        },
        config: { role: 'operator' },
      },
      async (request, reply) => {
        const action = { actor: request.adminPrincipal!.name, action: 'servers.add' };
        const target = { server: request.body.name };
        try {
          const server = await this.servers.addServer(request.body, (sql) =>
            this.audit.record(sql, {
              ...action,
              target,
              outcome: 'ok',
              detail: `added (${request.body.url})`,
            }),
          );
          return reply.code(201).send(view(server, undefined));
        } catch (error) {
          if (!(error instanceof DuplicateServerError)) throw error;
          return this.audit.refuse(reply, { ...action, target }, error);
        }
      },
    );
    typed.patch(
      `${ADMIN_PREFIX}/servers/:name`,
      {
        schema: {
          tags: ['servers'],
          description: 'Change display name, URL, enabled or secret reference (any of them).',
          params: ServerParams,
          body: ServerInputSchema.omit({ name: true }).partial(),
          response: { 200: ServerView, 404: ErrorBody },
        },
        config: { role: 'operator' },
      },
      async (request, reply) => {
        const action = { actor: request.adminPrincipal!.name, action: 'servers.edit' };
        const target = { server: request.params.name };
        if (!(await this.servers.getServer(request.params.name))) return this.notFound(reply, action, target);
        const changed = Object.keys(request.body).sort().join(', ') || 'nothing';
        const server = await this.servers.editServer(request.params.name, request.body, (sql) =>
          this.audit.record(sql, { ...action, target, outcome: 'ok', detail: `changed ${changed}` }),
        );
        return this.viewOf(server);
      },
    );
    typed.delete(
      `${ADMIN_PREFIX}/servers/:name`,
      {
        schema: {
          tags: ['servers'],
          description: 'Remove a server with what waits for it (tasks no other server needs go too).',
          params: ServerParams,
          response: { 200: ActionResult, 404: ErrorBody },
        },
        config: { role: 'operator' },
      },
      async (request, reply) => {
        const action = { actor: request.adminPrincipal!.name, action: 'servers.remove' };
        const target = { server: request.params.name };
        if (!(await this.servers.getServer(request.params.name))) return this.notFound(reply, action, target);
        let affected = 0;
        await this.servers.deleteServer(request.params.name, async (sql, removed) => {
          affected = removed;
          await this.audit.record(sql, {
            ...action,
            target,
            outcome: 'ok',
            detail: `removed with ${removed} row(s)`,
          });
        });
        return {
          affected,
          message: `server '${request.params.name}' removed with ${affected} waiting row(s)`,
        };
      },
    );
    const switches = [
      {
        verb: 'enable',
        changes: { enabled: true },
        what: 'Log changes for the server again and send it what waits.',
      },
      {
        verb: 'disable',
        changes: { enabled: false },
        what: 'Log no new tasks for the server (Kentico: changes made meanwhile are not staged to it).',
      },
      {
        verb: 'pause',
        changes: { paused: true },
        what: 'Keep logging tasks for the server but send nothing until it is resumed; nothing is lost.',
      },
      {
        verb: 'resume',
        changes: { paused: false },
        what: 'Send the server what was logged while it was paused, in logged order.',
      },
    ] as const;
    for (const { verb, changes, what } of switches) {
      typed.post(
        `${ADMIN_PREFIX}/servers/:name/${verb}`,
        {
          schema: {
            tags: ['servers'],
            description: what,
            params: ServerParams,
            response: { 200: ServerView, 404: ErrorBody },
          },
          config: { role: 'operator' },
        },
        async (request, reply) => {
          const action = { actor: request.adminPrincipal!.name, action: `servers.${verb}` };
          const target = { server: request.params.name };
          if (!(await this.servers.getServer(request.params.name)))
            return this.notFound(reply, action, target);
          const server = await this.servers.editServer(request.params.name, changes, (sql) =>
            this.audit.record(sql, { ...action, target, outcome: 'ok', detail: `${verb}d` }),
          );
          return this.viewOf(server);
        },
      );
    }
  }

  /** One server with what waits for it. */
  private async viewOf(server: StagingServer) {
    return view(server, (await this.synchronizations.stats()).get(server.id));
  }

  /** An action on a server that does not exist: recorded as refused, answered 404, nothing changed. */
  private notFound(
    reply: FastifyReply,
    action: { actor: string; action: string },
    target: { server: string },
  ) {
    return this.audit.refuse(
      reply,
      { ...action, target },
      serverNotFound(`No staging server is named '${target.server}'; nothing was changed.`),
      'no such server',
    );
  }
}

function view(
  server: StagingServer,
  stats: { pending: number; failed: number; oldestPendingAt: number | null } | undefined,
) {
  return {
    id: server.id,
    name: server.name,
    displayName: server.displayName,
    url: server.url,
    enabled: server.enabled,
    paused: server.paused,
    pending: stats?.pending ?? 0,
    failed: stats?.failed ?? 0,
    oldestPendingAt: stats?.oldestPendingAt ?? null,
  };
}
