// `syncbus tasks ...`: what waits to be synchronized, synchronizing it with progress, retrying and deleting.
import { IntegrationSynchronizations, type IntegrationTaskListing } from '@syncbus/integration';
import { ServerInfoProvider, SynchronizationInfoProvider, type StagingTaskListing } from '@syncbus/staging';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { deliverWithProgress } from './deliver-with-progress';
import type { Column } from '../output/table';

interface FilterOptions {
  server?: string;
  connector?: string;
  objectType?: string;
  status?: 'pending' | 'failed';
  group?: string;
  user?: string;
}

/** `--group` and `--user` filter staging tasks; integration tasks carry neither. */
function checkTaskFilters(options: { connector?: string; group?: string; user?: string }): void {
  if (options.connector && (options.group !== undefined || options.user !== undefined)) {
    throw new CliError('--group and --user filter staging tasks; drop them or --connector.', ExitCode.usage);
  }
}

const groupAndUser = (command: Command): Command =>
  command
    .option('--group <name>', 'only staging tasks of this task group')
    .option('--user <name>', 'only staging tasks this user made');

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
  { header: 'last error', value: (t) => t.lastError },
];

const connectorColumns: Column<IntegrationTaskListing>[] = [
  { header: 'task', value: (t) => t.taskId, right: true },
  { header: 'object', value: (t) => `${t.objectType}:${t.objectGuid}` },
  { header: 'status', value: (t) => t.status },
  { header: 'attempts', value: (t) => t.attempts, right: true },
  { header: 'next attempt', value: (t) => (t.status === 'failed' ? '-' : time(t.nextAttemptAt)) },
  { header: 'last error', value: (t) => t.lastError },
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
  return groupAndUser(
    command
      .option('--server <name>', 'only tasks for this staging server')
      .option('--connector <name>', 'integration tasks of this connector instead of staging tasks')
      .option('--object-type <type>', 'only this object type, e.g. cms.article')
      .option('--status <status>', 'pending or failed', parseStatus),
  );
}

/** Registers `tasks list|show|sync|retry|delete`. */
export function registerTasksCommand(program: Command, context: CliContext): void {
  const tasks = program.command('tasks').description('Inspect and synchronize staging and integration tasks');

  withFilters(tasks.command('list').description('List tasks waiting to be synchronized')).action(
    async (_o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & FilterOptions>();
      checkTaskFilters(options);
      await context.withNode(options, async (kernel) => {
        const output = context.output(options);
        if (options.connector) {
          // The same query the admin API's GET /integration/tasks pages through.
          const rows = await kernel.get(IntegrationSynchronizations).page({
            connector: options.connector,
            status: options.status,
            objectType: options.objectType,
          });
          output.table(rows, connectorColumns);
          return;
        }
        const rows = await kernel.get(SynchronizationInfoProvider).list({
          server: options.server,
          objectType: options.objectType,
          status: options.status,
          group: options.group,
          user: options.user,
        });
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
        const found = await kernel.get(SynchronizationInfoProvider).show(id);
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

  groupAndUser(
    tasks
      .command('sync')
      .description('Synchronize pending staging tasks now, showing progress')
      .option('--server <name>', 'only this server (default: every enabled server)'),
  ).action(async (_o, command: Command) => {
    const options = command.optsWithGlobals<
      GlobalOptions & { server?: string; group?: string; user?: string }
    >();
    const filtered = options.group !== undefined || options.user !== undefined;
    await context.withNode(options, async (kernel) => {
      const output = context.output(options);
      const servers = kernel.get(ServerInfoProvider);
      const synchronizations = kernel.get(SynchronizationInfoProvider);
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
      // Without --server, a paused server is left alone (that is what pausing it asked for) and said so.
      const paused = options.server ? [] : targets.filter((s) => s.paused).map((s) => s.name);
      const results = [];
      for (const server of targets) {
        if (paused.includes(server.name)) continue;
        // With --group or --user, only the matching pending tasks go (and only they count as remaining).
        const only = filtered
          ? (
              await synchronizations.list({
                server: server.name,
                status: 'pending',
                group: options.group,
                user: options.user,
              })
            ).map((t) => t.taskId)
          : undefined;
        if (only && only.length === 0) continue;
        results.push(await deliverWithProgress(kernel, server, context, only));
      }
      output.result(
        { servers: results, paused },
        [
          ...results.map(
            (r) =>
              `${r.server}: sent ${r.sent}, applied ${r.applied}, duplicates ${r.duplicates}, failed ${r.failed}, still pending ${r.remaining}${r.error ? ` (${r.error})` : ''}`,
          ),
          ...paused.map(
            (name) => `${name}: paused, nothing sent ('syncbus servers resume ${name}' sends it)`,
          ),
        ].join('\n') || 'no enabled servers',
      );
      const incomplete = results.filter((r) => r.error || r.failed > 0 || r.remaining > 0);
      if (incomplete.length > 0) {
        throw new CliError(
          `Not everything was delivered to ${incomplete.map((r) => r.server).join(', ')}; ` +
            `'syncbus tasks list --server NAME' shows what waits and why (its last error), and the errors above say ` +
            `what failed; 'syncbus tasks retry' sends failed tasks again.`,
          ExitCode.incomplete,
        );
      }
    });
  });

  for (const verb of ['retry', 'delete'] as const) {
    tasks
      .command(`${verb} [taskIds...]`)
      .description(
        verb === 'retry'
          ? 'Make failed tasks due again with fresh attempts (these ids, or every task --group/--user match)'
          : 'Delete tasks so they are never sent (these ids, or every task --group/--user match)',
      )
      .option('--server <name>', 'only for this server (default: every server the task waits for)')
      .option('--connector <name>', 'integration tasks of this connector instead of staging tasks')
      .option('--group <name>', 'every staging task of this task group')
      .option('--user <name>', 'every staging task this user made')
      .action(async (taskIds: string[], _o, command: Command) => {
        const options = command.optsWithGlobals<
          GlobalOptions & { server?: string; connector?: string; group?: string; user?: string }
        >();
        checkTaskFilters(options);
        const filtered = options.group !== undefined || options.user !== undefined;
        if (taskIds.length === 0 && !filtered) {
          throw new CliError(
            `Name the tasks: ids (see 'syncbus tasks list'), --group or --user.`,
            ExitCode.usage,
          );
        }
        let ids = parseIds(taskIds);
        await context.withNode(options, async (kernel) => {
          if (filtered) {
            const matched = await kernel
              .get(SynchronizationInfoProvider)
              .list({ server: options.server, group: options.group, user: options.user, limit: 100_000 });
            const byFilter = new Set(matched.map((t) => t.taskId));
            ids = taskIds.length > 0 ? ids.filter((id) => byFilter.has(id)) : [...byFilter];
          }
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
            const synchronizations = kernel.get(SynchronizationInfoProvider);
            changed =
              verb === 'retry'
                ? await synchronizations.retry(ids, options.server)
                : await synchronizations.delete(ids, options.server);
          }
          if (changed === 0)
            throw new CliError(
              `No waiting task matched ${taskIds.length > 0 ? taskIds.join(', ') : 'the filter'}; see 'syncbus tasks list'.`,
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
