// `syncbus audit list`: the audit trail of operator actions taken through the admin API, newest first.
import { AdminAudit } from '@syncbus/admin';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';
import { wholeNumber } from './whole-number';

/** Registers `audit list`. */
export function registerAuditCommand(program: Command, context: CliContext): void {
  const audit = program.command('audit').description('The audit trail of operator actions (admin API)');
  audit
    .command('list')
    .description('List audit entries, newest first')
    .option('--limit <n>', 'at most this many', wholeNumber('--limit', 10_000), 50)
    .option(
      '--before <id>',
      'only entries older than this id (the last of the previous page)',
      wholeNumber('--before', 2 ** 31),
    )
    .action(async (local: { limit: number; before?: number }, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, async (kernel) => {
        const entries = await kernel.get(AdminAudit).list({ limit: local.limit, before: local.before });
        context.output(options).table(
          entries.map((e) => ({ ...e, target: JSON.parse(e.target) as unknown })),
          [
            { header: 'id', value: (e) => e.id, right: true },
            { header: 'at', value: (e) => new Date(e.at).toISOString() },
            { header: 'actor', value: (e) => e.actor },
            { header: 'action', value: (e) => e.action },
            { header: 'target', value: (e) => JSON.stringify(e.target) },
            { header: 'outcome', value: (e) => e.outcome },
            { header: 'detail', value: (e) => e.detail },
          ],
        );
      });
    });
}
