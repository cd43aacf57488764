// `syncbus connectors ...`: the integration connectors this node loads, switching them, and testing their connection.
import {
  ConnectorOverview,
  type ConnectorState,
  IntegrationConnectorInfoProvider,
  IntegrationConnectorRegistry,
} from '@syncbus/integration';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';

/** What `connectors list` says of a connector: ok, disabled, or what holds it (with the next probe), in full. */
function connectorState(connector: ConnectorState): string {
  if (!connector.enabled && !connector.paused) return 'disabled';
  if (connector.pausedByOperator) return 'paused';
  if (!connector.paused) return 'ok';
  const { reason, until } = connector.paused;
  return until === null ? reason : `${reason} (next check ${new Date(until).toISOString()})`;
}

/** Registers `connectors list|enable|disable|pause|resume|check`. */
export function registerConnectorsCommand(program: Command, context: CliContext): void {
  const connectors = program.command('connectors').description('Manage the integration connectors');

  connectors
    .command('list')
    .description('List connectors with their queues')
    .action(async (_o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, async (kernel) => {
        // The same states the admin API's GET /integration/connectors answers.
        const rows = await kernel.get(ConnectorOverview).all();
        context.output(options).table(rows, [
          { header: 'name', value: (r) => r.name },
          { header: 'package', value: (r) => (r.package ? `${r.package}@${r.version ?? '?'}` : null) },
          { header: 'enabled', value: (r) => (r.enabled ? 'yes' : 'no') },
          { header: 'pending', value: (r) => r.outgoing.pending + r.incoming.pending, right: true },
          { header: 'failed', value: (r) => r.outgoing.failed + r.incoming.failed, right: true },
          { header: 'state', value: connectorState },
        ]);
      });
    });

  const switches = [
    ['enable', 'Enable a connector: tasks are logged and processed for it'],
    ['disable', 'Disable a connector: no new tasks; queued ones wait'],
    ['pause', 'Pause a connector: tasks are still logged, none is processed until it is resumed'],
    ['resume', 'Resume a paused connector: what was logged meanwhile is processed'],
  ] as const;
  for (const [verb, description] of switches) {
    connectors
      .command(`${verb} <name>`)
      .description(description)
      .action(async (name: string, _o, command: Command) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        await context.withNode(options, async (kernel) => {
          const infos = kernel.get(IntegrationConnectorInfoProvider);
          if (verb === 'enable' || verb === 'disable')
            await infos.setIntegrationConnectorEnabled(name, verb === 'enable');
          else await infos.setIntegrationConnectorPaused(name, verb === 'pause');
          const state = await kernel.get(ConnectorOverview).get(name);
          context
            .output(options)
            .result(
              { name, enabled: state.enabled, paused: state.pausedByOperator },
              `${verb}d connector '${name}'`,
            );
        });
      });
  }

  connectors
    .command('check [name]')
    .description("Test connectors' connections to their external systems (default: every enabled one)")
    .action(async (name: string | undefined, _o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, async (kernel) => {
        const registry = kernel.get(IntegrationConnectorRegistry);
        const chosen = name ? [registry.get(name)] : registry.all().filter((c) => c.enabled);
        const overview = kernel.get(ConnectorOverview);
        const results = [];
        for (const connector of chosen) results.push(await overview.check(connector.name));
        context.output(options).table(results, [
          { header: 'name', value: (r) => r.name },
          { header: 'ok', value: (r) => (r.ok ? 'yes' : 'NO') },
          { header: 'message', value: (r) => r.message },
        ]);
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) {
          throw new CliError(`Check failed for ${failed.map((r) => r.name).join(', ')}.`, ExitCode.failure);
        }
      });
    });
}
