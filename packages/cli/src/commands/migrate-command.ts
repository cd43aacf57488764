// `syncbus migrate`: brings the database schema up to date (every start does this too).
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';

/** Registers `migrate`. */
export function registerMigrateCommand(program: Command, context: CliContext): void {
  program
    .command('migrate')
    .description('Run pending database migrations of syncbus and its plugins')
    .action(async (_options, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(
        options,
        async (kernel) => {
          const migrations = await kernel.dataSource.query(
            kernel.dataSource.options.type === 'postgres'
              ? 'SELECT name FROM migrations ORDER BY id'
              : 'SELECT name FROM "migrations" ORDER BY id',
          );
          context
            .output(options)
            .result(
              { applied: migrations.map((m: { name: string }) => m.name) },
              `database is up to date (${migrations.length} migrations applied)`,
            );
        },
        { migrate: true },
      );
    });
}
