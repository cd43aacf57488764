// `syncbus config check`: validates a config file, its plugins and every module's section, without opening storage.
import { Kernel } from '@syncbus/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';

/** Registers `config check`. */
export function registerConfigCommand(program: Command, context: CliContext): void {
  const config = program.command('config').description('Inspect the node configuration');
  config
    .command('check')
    .description('Validate the config file: every wrong field is listed by path')
    .action(async (_options, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const { file, baseDir, config: raw } = context.config(options);
      const result = Kernel.check({ config: raw, baseDir, modules: [...context.baseModules] });
      context.output(options).result(
        {
          file,
          valid: true,
          nodeName: result.settings.core.nodeName,
          plugins: result.plugins.map((p) => p.packageName),
          modules: result.modules,
        },
        `${file} is valid (node '${result.settings.core.nodeName}', modules: ${result.modules.join(', ') || 'none'})`,
      );
    });
}
