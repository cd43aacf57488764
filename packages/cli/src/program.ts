// The `syncbus` command tree (commander): global options, every command, and one place that turns errors into exits.
import { ConfigError } from '@syncbus/core';
import { Command, CommanderError } from 'commander';
import { CliContext, type CliStreams } from './cli-context';
import { ExitCode, exitCodeOf } from './cli-error';
import { registerAuditCommand } from './commands/audit-command';
import { registerConfigCommand } from './commands/config-command';
import { registerConflictsCommand } from './commands/conflicts-command';
import { registerConnectorsCommand } from './commands/connectors-command';
import { registerDemoCommand } from './commands/demo-command';
import { registerMigrateCommand } from './commands/migrate-command';
import { registerObjectsCommand } from './commands/objects-command';
import { registerServersCommand } from './commands/servers-command';
import { registerStartCommand } from './commands/start-command';
import { registerTasksCommand } from './commands/tasks-command';
import { registerWorkersCommand } from './commands/workers-command';
import { defaultModules } from './default-modules';

/** Registers a command group on the program. */
export type CommandRegistration = (program: Command, context: CliContext) => void;

const registrations: CommandRegistration[] = [
  registerDemoCommand,
  registerStartCommand,
  registerConfigCommand,
  registerMigrateCommand,
  registerServersCommand,
  registerTasksCommand,
  registerConflictsCommand,
  registerConnectorsCommand,
  registerObjectsCommand,
  registerAuditCommand,
  registerWorkersCommand,
];

/** Adds command groups (used by this package's own command files as they grow). */
export function addCommands(...more: CommandRegistration[]): void {
  registrations.push(...more);
}

/** Builds the program for one invocation. */
export function createProgram(context: CliContext): Command {
  const program = new Command('syncbus')
    .description('syncbus: content staging and integration bus node')
    .version(require('../package.json').version)
    .option('-c, --config <file>', 'config file (default: ./syncbus.config.json or $SYNCBUS_CONFIG)')
    .option('--json', 'machine-readable JSON output')
    .option('--verbose', 'debug logging and stack traces')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.streams.stdout.write(text),
      writeErr: (text) => context.streams.stderr.write(text),
    });
  for (const register of registrations) register(program, context);
  return program;
}

/** Runs `syncbus` with `argv` (without node and script); resolves with the exit code, never throws. */
export async function runCli(argv: readonly string[], streams: CliStreams = process): Promise<number> {
  const context = new CliContext(streams, defaultModules());
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const verbose = argv.includes('--verbose');
    const message =
      error instanceof ConfigError || !verbose
        ? (error as Error).message
        : ((error as Error).stack ?? String(error));
    streams.stderr.write(`syncbus: ${message}\n`);
    return exitCodeOf(error);
  }
}
