// `syncbus tasks ...`: what waits to be synchronized, synchronizing it with progress, retrying and deleting.
import { IntegrationSynchronizations, type IntegrationSynchronizationInfo } from '@syncbus/integration';
import {
  ServerInfoProvider,
  StagingTaskList,
  StagingTaskRunnerFactory,
  type StagingTaskListing,
} from '@syncbus/staging';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { createProgress } from '../output/progress';
import type { Column } from '../output/table';

interface FilterOptions {
  server?: string;
  connector?: string;
  objectType?: string;
  status?: 'pending' | 'failed';
}

const time = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : 'now');

const stagingColumns: Column<StagingTaskListing>[] = [
  { header: 'task', value: (t) => t.taskId, right: true },
  { header: 'server', value: (t) => t.server },
  { header: 'type', value: (t) => t.taskType },
  { header: 'object type', value: (t) => t.objectType },
  { header: 'object', value: (t) => t.objectGuid },
  { header: 'title', value: (t) => t.title.slice(0, 40) },
  { header: 'status', value: (t) => t.status },
  { header: 'attempts', value: (t) => t.attempts, right: true },
  { header: 'next attempt', value: (t) => (t.status === 'failed' ? '-' : time(t.nextAttemptAt)) },
  { header: 'last error', value: (t) => t.lastError?.slice(0, 60) },
];

const connectorColumns: Column<IntegrationSynchronizationInfo>[] = [
  { header: 'task', value: (t) => t.taskId, right: true },
  { header: 'object', value: (t) => t.objectKey },
  { header: 'status', value: (t) => t.status },
  { header: 'attempts', value: (t) => t.attempts, right: true },
  { header: 'next attempt', value: (t) => (t.status === 'failed' ? '-' : time(t.nextAttemptAt)) },
  { header: 'last error', value: (t) => t.lastError?.slice(0, 60) },
];

function parseStatus(value: string): 'pending' | 'failed' {
  if (value !== 'pending' && value !== 'failed') throw new InvalidArgumentError('use pending or failed');
  return value;
}

function parseIds(values: string[]): number[] {
  return values.map((v) => {
    if (!/^\d+$/.test(v))
      throw new CliError(
        `'${v}' is not a task id; task ids are whole numbers (see 'syncbus tasks list').`,
        ExitCode.usage,
      );
    return Number(v);
  });
}

function withFilters(command: Command): Command {
  return command
    .option('--server <name>', 'only tasks for this staging server')
    .option('--connector <name>', 'integration tasks of this connector instead of staging tasks')
    .option('--object-type <type>', 'only this object type, e.g. cms.article')
    .option('--status <status>', 'pending or failed', parseStatus);
}

/** Registers `tasks list|show|sync|retry|delete`. */
export function registerTasksCommand(program: Command, context: CliContext): void {
  const tasks = program.command('tasks').description('Inspect and synchronize staging and integration tasks');

  withFilters(tasks.command('list').description('List tasks waiting to be synchronized')).action(
    async (_o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & FilterOptions>();
      await context.withNode(options, async (kernel) => {
        const output = context.output(options);
        if (options.connector) {
          let rows = await kernel.get(IntegrationSynchronizations).list(options.connector);
          if (options.status) rows = rows.filter((r) => r.status === options.status);
          if (options.objectType) rows = rows.filter((r) => r.objectKey.startsWith(`${options.objectType}:`));
          output.table(rows, connectorColumns);
          return;
        }
        const rows = await kernel
          .get(StagingTaskList)
          .list({ server: options.server, objectType: options.objectType, status: options.status });
        output.table(rows, stagingColumns);
      });
    },
  );

  tasks
    .command('show <taskId>')
    .description('Show one staging task with its data and the servers it waits for')
    .action(async (taskId: string, _o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const [id] = parseIds([taskId]);
      await context.withNode(options, async (kernel) => {
        const found = await kernel.get(StagingTaskList).show(id);
        if (!found)
          throw new CliError(
            `No staging task ${id} waits for any server (it was delivered or deleted).`,
            ExitCode.notFound,
          );
        const { task, synchronizations } = found;
        context.output(options).record({
          ...task,
          createdAt: new Date(task.createdAt).toISOString(),
          servers: synchronizations.map((s) => ({
            server: s.server,
            status: s.status,
            attempts: s.attempts,
            lastError: s.lastError,
          })),
        });
      });
    });

  tasks
    .command('sync')
    .description('Synchronize pending staging tasks now, showing progress')
    .option('--server <name>', 'only this server (default: every enabled server)')
    .action(async (_o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & { server?: string }>();
      await context.withNode(options, async (kernel) => {
        const output = context.output(options);
        const servers = kernel.get(ServerInfoProvider);
        const list = kernel.get(StagingTaskList);
        const targets = options.server
          ? [
              await servers
                .getServer(options.server)
                .then(
                  (s) =>
                    s ??
                    Promise.reject(
                      new CliError(
                        `No staging server '${options.server}'; see 'syncbus servers list'.`,
                        ExitCode.notFound,
                      ),
                    ),
                ),
            ]
          : await servers.getServers({ enabled: true });
        const results = [];
        for (const server of targets) {
          const before = await list.count(server.name);
          const progress = createProgress(`sync ${server.name}`, before.pending, context.streams.stderr);
          const poll = setInterval(() => {
            void list
              .count(server.name)
              .then((now) =>
                progress.update(Math.max(0, before.pending - now.pending), { failed: now.failed }),
              );
          }, 200);
          try {
            const summary = await kernel.get(StagingTaskRunnerFactory).create(server.id).runSynchronization();
            const after = await list.count(server.name);
            progress.update(Math.max(0, before.pending - after.pending), { failed: after.failed });
            results.push({ ...summary, remaining: after.pending, failedTotal: after.failed });
          } finally {
            clearInterval(poll);
            progress.stop();
          }
        }
        output.result(
          { servers: results },
          results
            .map(
              (r) =>
                `${r.server}: sent ${r.sent}, applied ${r.applied}, duplicates ${r.duplicates}, failed ${r.failed}, still pending ${r.remaining}${r.error ? ` (${r.error})` : ''}`,
            )
            .join('\n') || 'no enabled servers',
        );
        const incomplete = results.filter((r) => r.error || r.failed > 0 || r.remaining > 0);
        if (incomplete.length > 0) {
          throw new CliError(
            `Not everything was delivered to ${incomplete.map((r) => r.server).join(', ')}; see 'syncbus tasks list --status failed' and the errors above.`,
            ExitCode.incomplete,
          );
        }
      });
    });

  for (const verb of ['retry', 'delete'] as const) {
    tasks
      .command(`${verb} <taskIds...>`)
      .description(
        verb === 'retry'
          ? 'Make failed tasks due again with fresh attempts'
          : 'Delete tasks so they are never sent',
      )
      .option('--server <name>', 'only for this server (default: every server the task waits for)')
      .option('--connector <name>', 'integration tasks of this connector instead of staging tasks')
      .action(async (taskIds: string[], _o, command: Command) => {
        const options = command.optsWithGlobals<GlobalOptions & { server?: string; connector?: string }>();
        const ids = parseIds(taskIds);
        await context.withNode(options, async (kernel) => {
          let changed: number;
          if (options.connector) {
            const syncs = kernel.get(IntegrationSynchronizations);
            const rows = (await syncs.list(options.connector)).filter((r) => ids.includes(r.taskId));
            const rowIds = rows.map((r) => r.id);
            changed =
              verb === 'retry'
                ? await syncs.retry(options.connector, 'outgoing', rowIds)
                : await syncs.delete(options.connector, 'outgoing', rowIds);
          } else {
            const list = kernel.get(StagingTaskList);
            changed =
              verb === 'retry'
                ? await list.retry(ids, options.server)
                : await list.delete(ids, options.server);
          }
          if (changed === 0)
            throw new CliError(
              `No waiting task matched ${ids.join(', ')}; see 'syncbus tasks list'.`,
              ExitCode.notFound,
            );
          context
            .output(options)
            .result(
              { [verb === 'retry' ? 'retried' : 'deleted']: changed },
              `${verb === 'retry' ? 'retried' : 'deleted'} ${changed} synchronization(s)`,
            );
        });
      });
  }
}
