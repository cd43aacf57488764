// `syncbus start`: runs a node (staging receiver, integration, plugins, HTTP) until SIGINT or SIGTERM.
import { createLogger, Kernel } from '@syncbus/core';
import { SyncbusHttpServer } from '@syncbus/server';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';

/** Registers `start`. */
export function registerStartCommand(program: Command, context: CliContext): void {
  program
    .command('start')
    .description(
      'Start a node from its config: migrations, plugins, HTTP; stops cleanly on Ctrl-C or SIGTERM',
    )
    .action(async (_o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const { config, baseDir, file } = context.config(options);
      const kernel = await Kernel.boot({
        config,
        baseDir,
        modules: [...context.baseModules],
        logger: options.verbose ? createLogger({ level: 'debug' }) : undefined,
        handleSignals: true,
      });
      const http = kernel.get(SyncbusHttpServer);
      const url = http.instance ? http.url : undefined;
      context
        .output(options)
        .result(
          { node: kernel.settings.core.nodeName, config: file, url: url ?? null, pid: process.pid },
          `syncbus node '${kernel.settings.core.nodeName}' is running${url ? ` at ${url}` : ''} (config ${file}); Ctrl-C stops it`,
        );
      // The kernel keeps the process alive and stops it on SIGINT/SIGTERM (handleSignals).
    });
}
