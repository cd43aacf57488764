// `syncbus connectors ...`: the integration connectors this node loads, switching them, and testing their connection.
import {
  IntegrationConnectorInfoProvider,
  IntegrationConnectorRegistry,
  IntegrationSynchronizations,
} from '@syncbus/integration';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';

interface ConnectorRow {
  name: string;
  displayName: string;
  package: string | null;
  version: string | null;
  enabled: boolean;
  pending: number;
  failed: number;
  problem: string | null;
}

/** Registers `connectors list|enable|disable|check`. */
export function registerConnectorsCommand(program: Command, context: CliContext): void {
  const connectors = program.command('connectors').description('Manage the integration connectors');

  connectors
    .command('list')
    .description('List connectors with their queues')
    .action(async (_o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, async (kernel) => {
        const registry = kernel.get(IntegrationConnectorRegistry);
        const rows: ConnectorRow[] = [];
        for (const info of await kernel.get(IntegrationConnectorInfoProvider).getIntegrationConnectors()) {
          const queue = registry.find(info.connectorName)
            ? await kernel.get(IntegrationSynchronizations).list(info.connectorName)
            : [];
          rows.push({
            name: info.connectorName,
            displayName: info.connectorDisplayName,
            package: info.connectorPackage,
            version: info.connectorVersion,
            enabled: info.connectorEnabled,
            pending: queue.filter((r) => r.status === 'pending').length,
            failed: queue.filter((r) => r.status === 'failed').length,
            problem: registry.find(info.connectorName)?.problem?.message ?? null,
          });
        }
        context.output(options).table(rows, [
          { header: 'name', value: (r) => r.name },
          { header: 'package', value: (r) => (r.package ? `${r.package}@${r.version ?? '?'}` : null) },
          { header: 'enabled', value: (r) => (r.enabled ? 'yes' : 'no') },
          { header: 'pending', value: (r) => r.pending, right: true },
          { header: 'failed', value: (r) => r.failed, right: true },
          { header: 'problem', value: (r) => r.problem?.slice(0, 60) },
        ]);
      });
    });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    connectors
      .command(`${verb} <name>`)
      .description(
        enabled
          ? 'Enable a connector: tasks are logged and processed for it'
          : 'Disable a connector: no new tasks; queued ones wait',
      )
      .action(async (name: string, _o, command: Command) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        await context.withNode(options, async (kernel) => {
          await kernel.get(IntegrationConnectorInfoProvider).setIntegrationConnectorEnabled(name, enabled);
          context.output(options).result({ name, enabled }, `${verb}d connector '${name}'`);
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
        const results = [];
        for (const connector of chosen) {
          try {
            if (connector.problem && connector.problem.kind !== 'check')
              throw new Error(connector.problem.message);
            await connector.instance.check();
            results.push({ name: connector.name, ok: true, message: 'ok' });
          } catch (error) {
            results.push({ name: connector.name, ok: false, message: (error as Error).message });
          }
        }
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
