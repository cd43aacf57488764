// `syncbus workers list`: the live processes of a PostgreSQL node, their roles and the leases each holds.
import { listNodeProcesses, sumByProcess, type LeaseQueue } from '@syncbus/core/internal';
import { Storage } from '@syncbus/core';
import { IntegrationSynchronizations } from '@syncbus/integration';
import { StagingQueue } from '@syncbus/staging/internal';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';

/** Registers `workers list`. */
export function registerWorkersCommand(program: Command, context: CliContext): void {
  const workers = program.command('workers').description("The node's live processes (PostgreSQL)");
  workers
    .command('list')
    .description('List the live processes of the node: role, since when, listening, leases held')
    .action(async (_local, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, async (kernel) => {
        const output = context.output(options);
        const processes = await listNodeProcesses(kernel.get(Storage));
        if (!processes) {
          output.message(
            'This node stores in SQLite: one process uses it at a time; there are no workers to list.',
          );
          return;
        }
        const held = sumByProcess(
          await kernel.get<LeaseQueue>(StagingQueue).leasesByProcess(),
          await kernel.get(IntegrationSynchronizations).leasesByProcess(),
        );
        output.table(
          processes.map((p) => ({
            process: p.process,
            role: p.role,
            connectedAt: new Date(p.connectedAt).toISOString(),
            listening: p.listening,
            leases: held.get(p.process) ?? 0,
          })),
          [
            { header: 'process', value: (p) => p.process },
            { header: 'role', value: (p) => p.role },
            { header: 'connected at', value: (p) => p.connectedAt },
            { header: 'listening', value: (p) => (p.listening ? 'yes' : 'no') },
            { header: 'leases', value: (p) => p.leases, right: true },
          ],
        );
      });
    });
}
