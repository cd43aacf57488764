// `syncbus servers ...`: the staging target servers of this node.
import { ServerInfoProvider, StagingSynchronizer, type StagingServer } from '@syncbus/staging';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { deliverWithProgress } from './deliver-with-progress';
import type { Column } from '../output/table';

const columns: Column<StagingServer>[] = [
  { header: 'id', value: (s) => s.id, right: true },
  { header: 'name', value: (s) => s.name },
  { header: 'display name', value: (s) => s.displayName },
  { header: 'url', value: (s) => s.url },
  { header: 'enabled', value: (s) => (s.enabled ? 'yes' : 'no') },
  { header: 'paused', value: (s) => (s.paused ? 'yes' : 'no') },
  { header: 'secret', value: (s) => s.secretRef },
];

const view = (s: StagingServer) => ({
  id: s.id,
  name: s.name,
  displayName: s.displayName,
  url: s.url,
  enabled: s.enabled,
  paused: s.paused,
  secret: s.secretRef,
});

/** Registers `servers list|add|edit|enable|disable|pause|resume|sync-all|remove`. */
export function registerServersCommand(program: Command, context: CliContext): void {
  const servers = program.command('servers').description('Manage the staging target servers');
  const run =
    (fn: (provider: ServerInfoProvider, options: GlobalOptions, ...args: any[]) => Promise<void>) =>
    async (...args: any[]) => {
      const command = args[args.length - 1] as Command;
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, (kernel) =>
        fn(kernel.get(ServerInfoProvider), options, ...args.slice(0, -1)),
      );
    };

  servers
    .command('list')
    .description('List target servers')
    .action(
      run(async (provider, options) => {
        context.output(options).table(
          (await provider.getServers()).map((s) => ({ ...s })),
          columns,
        );
      }),
    );

  servers
    .command('add')
    .description('Add a target server')
    .requiredOption('--name <name>', "unique name (use the target node's nodeName)")
    .requiredOption('--url <url>', 'base URL of the target node')
    .requiredOption('--secret <ref>', 'shared secret reference, e.g. env:SYNCBUS_SECRET_QA')
    .option('--display-name <text>', 'display name')
    .option('--disabled', 'add it disabled')
    .action(
      run(
        async (
          provider,
          options,
          local: { name: string; url: string; secret: string; displayName?: string; disabled?: boolean },
        ) => {
          const server = await provider.addServer({
            name: local.name,
            url: local.url,
            secret: local.secret,
            displayName: local.displayName,
            enabled: !local.disabled,
          });
          context.output(options).result(view(server), `added server '${server.name}' (id ${server.id})`);
        },
      ),
    );

  servers
    .command('edit <name>')
    .description('Change a target server')
    .option('--url <url>', 'base URL')
    .option('--secret <ref>', 'shared secret reference, e.g. env:SYNCBUS_SECRET_QA')
    .option('--display-name <text>', 'display name')
    .action(
      run(
        async (
          provider,
          options,
          name: string,
          local: { url?: string; secret?: string; displayName?: string },
        ) => {
          const server = await provider.editServer(name, {
            url: local.url,
            secret: local.secret,
            displayName: local.displayName,
          });
          context.output(options).result(view(server), `changed server '${server.name}'`);
        },
      ),
    );

  const switches = [
    ['enable', 'Enable a server: changes are logged and sent to it', { enabled: true }],
    ['disable', 'Disable a server: new changes get no tasks for it', { enabled: false }],
    [
      'pause',
      'Pause a server: changes are still logged for it, nothing is sent until it is resumed',
      { paused: true },
    ],
    ['resume', 'Resume a paused server: what was logged meanwhile is sent', { paused: false }],
  ] as const;
  for (const [verb, description, changes] of switches) {
    servers
      .command(`${verb} <name>`)
      .description(description)
      .action(
        run(async (provider, options, name: string) => {
          const server = await provider.editServer(name, changes);
          context.output(options).result(view(server), `${verb}d server '${server.name}'`);
        }),
      );
  }

  servers
    .command('sync-all <name>')
    .description(
      'Complete synchronization: log an update of every object (of --object-type only, when given) for this ' +
        'server, then deliver them with progress',
    )
    .option('--object-type <type...>', 'only these object types, e.g. cms.article cms.category')
    .action(async (name: string, _o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & { objectType?: string[] }>();
      await context.withNode(options, async (kernel) => {
        const logged = await kernel.get(StagingSynchronizer).synchronizeAll(name, options.objectType);
        const server = (await kernel.get(ServerInfoProvider).getServer(name))!;
        const delivery = await deliverWithProgress(kernel, server, context);
        const types = Object.entries(logged.byType)
          .map(([type, count]) => `${type} ${count}`)
          .join(', ');
        context
          .output(options)
          .result(
            { logged, delivery },
            `${server.name}: logged ${logged.tasks} task(s) (${types || 'no objects'}); sent ${delivery.sent}, ` +
              `applied ${delivery.applied}, failed ${delivery.failed}, still pending ${delivery.remaining}` +
              (delivery.error ? ` (${delivery.error})` : ''),
          );
        if (delivery.error || delivery.failed > 0 || delivery.remaining > 0) {
          throw new CliError(
            `Not everything was delivered to ${server.name}; see 'syncbus tasks list --server ${server.name}'.`,
            ExitCode.incomplete,
          );
        }
      });
    });

  servers
    .command('remove <name>')
    .description('Remove a server with the tasks that wait only for it')
    .action(
      run(async (provider, options, name: string) => {
        await provider.deleteServer(name);
        context.output(options).result({ removed: name }, `removed server '${name}'`);
      }),
    );
}
