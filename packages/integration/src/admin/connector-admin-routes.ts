// The connectors resource of the admin API: each connector with its queues and state, enable / disable, and its
// check(). Contributed by the integration bus, so a staging-only node serves none of it.
import { inject, injectable, SyncbusError } from '@syncbus/core';
import { type SqlExecutor } from '@syncbus/core/internal';
import { ADMIN_PREFIX, ErrorBody, type AdminRouteContext, type AdminRoutes } from '@syncbus/server';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConnectorOverview } from '../connectors/connector-overview';
import { IntegrationConnectorInfoProvider } from '../integration-connector-info-provider';
import { IntegrationConnectorRegistry } from '../connectors/integration-connector-registry';
import { ConnectorCheck, ConnectorParams, ConnectorView } from './integration-admin-schemas';

/** `GET /integration/connectors[/:name]`, `POST .../:name/enable|disable|check`. */
@injectable()
export class ConnectorAdminRoutes implements AdminRoutes {
  constructor(
    @inject(ConnectorOverview) private readonly overview: ConnectorOverview,
    @inject(IntegrationConnectorInfoProvider) private readonly infos: IntegrationConnectorInfoProvider,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
  ) {}

  register(app: FastifyInstance, { audit }: AdminRouteContext): void {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      `${ADMIN_PREFIX}/integration/connectors`,
      {
        schema: { tags: ['integration'], response: { 200: z.array(ConnectorView) } },
        config: { role: 'viewer' },
      },
      () => this.overview.all(),
    );
    typed.get(
      `${ADMIN_PREFIX}/integration/connectors/:name`,
      {
        schema: {
          tags: ['integration'],
          params: ConnectorParams,
          response: { 200: ConnectorView, 404: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        if (!(await this.infos.getIntegrationConnectorInfo(request.params.name)))
          throw this.registry.notFound(request.params.name);
        return this.overview.get(request.params.name);
      },
    );
    typed.post(
      `${ADMIN_PREFIX}/integration/connectors/:name/check`,
      {
        schema: {
          tags: ['integration'],
          description: "Runs the connector's check() now (within integration.callTimeoutMs).",
          params: ConnectorParams,
          response: { 200: ConnectorCheck, 404: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        if (!this.registry.find(request.params.name)) throw this.registry.notFound(request.params.name);
        const { ok, message } = await this.overview.check(request.params.name);
        return { ok, message };
      },
    );
    const switches = [
      { verb: 'enable', on: true, what: 'Log and process tasks for the connector again.' },
      {
        verb: 'disable',
        on: false,
        what: 'Log no new tasks for the connector; queued ones wait until it is enabled.',
      },
      {
        verb: 'pause',
        on: true,
        what: 'Keep logging tasks for the connector but process none until it is resumed.',
      },
      {
        verb: 'resume',
        on: false,
        what: 'Process what was logged while the connector was paused, in logged order.',
      },
    ] as const;
    for (const { verb, on, what } of switches) {
      typed.post(
        `${ADMIN_PREFIX}/integration/connectors/:name/${verb}`,
        {
          schema: {
            tags: ['integration'],
            description: what,
            params: ConnectorParams,
            response: { 200: ConnectorView, 404: ErrorBody, 409: ErrorBody },
          },
          config: { role: 'operator' },
        },
        async (request, reply) => {
          const { name } = request.params;
          const action = {
            actor: request.adminPrincipal!.name,
            action: `connectors.${verb}`,
            target: { connector: name },
          };
          const connector = this.registry.find(name);
          if (!connector)
            return audit.refuse(reply, action, this.registry.notFound(name), 'no such connector');
          if (verb === 'enable' && !connector.listed) {
            return audit.refuse(
              reply,
              action,
              new SyncbusError(
                'CONNECTOR_NOT_LISTED',
                `Connector '${name}' is not listed in the config's "connectors" section, so it stays off; list it there and restart.`,
                { kind: 'conflict' },
              ),
            );
          }
          const audited = (sql: SqlExecutor) =>
            audit.record(sql, { ...action, outcome: 'ok', detail: `${verb}d` });
          if (verb === 'enable' || verb === 'disable')
            await this.infos.setIntegrationConnectorEnabled(name, on, audited);
          else await this.infos.setIntegrationConnectorPaused(name, on, audited);
          return this.overview.get(name);
        },
      );
    }
  }
}
