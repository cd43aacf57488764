// `syncbus start`: runs a node (staging receiver, integration, plugins, HTTP) until SIGINT or SIGTERM.
import { createLogger, Kernel, PROCESS_ROLES, type ProcessRole } from '@syncbus/core';
import { SyncbusHttpServer } from '@syncbus/server';
import { Option, type Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';

/** Registers `start`. */
export function registerStartCommand(program: Command, context: CliContext): void {
  program
    .command('start')
    .description(
      'Start a node from its config: migrations, plugins, HTTP; stops cleanly on Ctrl-C or SIGTERM',
    )
    .addOption(
      new Option(
        '--role <role>',
        'what this process does (overrides the config\'s "role"; docs/scaling.md)',
      ).choices(PROCESS_ROLES),
    )
    .action(async (_o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & { role?: ProcessRole }>();
      const { config, baseDir, file } = context.config(options);
      const kernel = await Kernel.boot({
        config,
        // The flag wins over the config and over SYNCBUS_ROLE (environment overrides apply last).
        env: options.role ? { ...process.env, SYNCBUS_ROLE: options.role } : undefined,
        baseDir,
        modules: [...context.baseModules],
        logger: options.verbose ? createLogger({ level: 'debug' }) : undefined,
        handleSignals: true,
      });
      const http = kernel.get(SyncbusHttpServer);
      const url = http.instance ? http.url : undefined;
      context.output(options).result(
        {
          node: kernel.settings.core.nodeName,
          role: kernel.settings.core.role,
          config: file,
          url: url ?? null,
          pid: process.pid,
        },
        `syncbus node '${kernel.settings.core.nodeName}' is running${url ? ` at ${url}` : ''} as role ${kernel.settings.core.role} (config ${file}); Ctrl-C stops it`,
      );
      // The kernel keeps the process alive and stops it on SIGINT/SIGTERM (handleSignals).
    });
}
