// `syncbus conflicts list|show|resolve`: the tasks that met an object changed on this node, and their resolution.
import { userInfo } from 'node:os';
import { conflictFields, conflictVersions } from '@syncbus/staging/internal';
import { StagingConflicts, type ConflictTake, type StagingConflict } from '@syncbus/staging';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context';
import type { Column } from '../output/table';
import { wholeNumber } from './whole-number';

const columns: Column<StagingConflict>[] = [
  { header: 'id', value: (c) => c.id, right: true },
  { header: 'when', value: (c) => new Date(c.createdAt).toISOString() },
  { header: 'source', value: (c) => c.sourceServer },
  { header: 'task', value: (c) => c.taskType },
  { header: 'object', value: (c) => `${c.objectType}:${c.objectGuid}` },
  { header: 'kind', value: (c) => c.kind },
  { header: 'policy', value: (c) => c.policy },
  { header: 'outcome', value: (c) => c.outcome },
];

/** A conflict for people and scripts: its three versions parsed, and which fields differ. */
function view(c: StagingConflict) {
  return {
    id: c.id,
    status: c.status,
    outcome: c.outcome,
    kind: c.kind,
    policy: c.policy,
    source: c.sourceServer,
    task: { guid: c.taskGuid, type: c.taskType },
    object: { type: c.objectType, guid: c.objectGuid, title: c.title },
    createdAt: new Date(c.createdAt).toISOString(),
    resolvedAt: c.resolvedAt === null ? null : new Date(c.resolvedAt).toISOString(),
    resolvedBy: c.resolvedBy,
    fields: conflictFields(c).map(({ field, base, source, target }) => ({ field, base, source, target })),
    versions: conflictVersions(c),
  };
}

function parseTake(value: string): ConflictTake {
  if (value !== 'source' && value !== 'target' && value !== 'merged') {
    throw new InvalidArgumentError('use source, target or merged');
  }
  return value;
}

/** Registers `conflicts list|show|resolve`. */
export function registerConflictsCommand(program: Command, context: CliContext): void {
  const conflicts = program
    .command('conflicts')
    .description('Tasks that met an object changed on this node (the target) since staging last left it');
  const withConflicts =
    (fn: (service: StagingConflicts, options: GlobalOptions, ...args: any[]) => Promise<void>) =>
    async (...args: any[]) => {
      const command = args[args.length - 1] as Command;
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, (kernel) =>
        fn(kernel.get(StagingConflicts), options, ...args.slice(0, -1)),
      );
    };

  conflicts
    .command('list')
    .description('List the conflicts waiting for a person (--all: every conflict, newest first)')
    .option('--all', 'also those their policy or a person resolved')
    .option('--source <server>', 'only conflicts of tasks from this source server')
    .option('--object-type <type>', 'only this object type, e.g. cms.article')
    .option('--limit <n>', 'at most this many (default 100)', wholeNumber('--limit', 10_000))
    .action(
      withConflicts(
        async (
          service,
          options,
          local: { all?: boolean; source?: string; objectType?: string; limit?: number },
        ) => {
          const list = await service.list({
            status: local.all ? undefined : 'open',
            sourceServer: local.source,
            objectType: local.objectType,
            limit: local.limit,
          });
          const output = context.output(options);
          if (list.length === 0 && !options.json) {
            output.message(
              local.all
                ? 'No conflicts on this node.'
                : 'No conflicts wait for a person (--all lists every one).',
            );
            return;
          }
          output.table(list, columns);
        },
      ),
    );

  conflicts
    .command('show')
    .description('Show one conflict: its three versions (base, source, target) field by field')
    .argument('<id>', 'conflict id (see conflicts list)', wholeNumber('conflict id', Number.MAX_SAFE_INTEGER))
    .action(
      withConflicts(async (service, options, id: number) => {
        const conflict = view(await service.get(id));
        const output = context.output(options);
        if (options.json) return output.record(conflict);
        const { fields: differing, versions, ...summary } = conflict;
        void versions;
        output.record({
          ...summary,
          task: summary.task.guid,
          object: `${summary.object.type}:${summary.object.guid}`,
        });
        output.table(differing, [
          { header: 'field', value: (f) => f.field },
          { header: 'base', value: (f) => JSON.stringify(f.base ?? null) },
          { header: 'source', value: (f) => JSON.stringify(f.source ?? null) },
          { header: 'target', value: (f) => JSON.stringify(f.target ?? null) },
        ]);
      }),
    );

  conflicts
    .command('resolve')
    .description("Resolve a conflict: take the source's version, keep the target's, or merge them by field")
    .argument('<id>', 'conflict id (see conflicts list)', wholeNumber('conflict id', Number.MAX_SAFE_INTEGER))
    .requiredOption(
      '--take <version>',
      'source, target or merged (fields changed on both sides: the source)',
      parseTake,
    )
    .option('--user <name>', 'who resolves it (default: the operating system user)')
    .action(
      withConflicts(async (service, options, id: number, local: { take: ConflictTake; user?: string }) => {
        const resolved = await service.resolve(id, local.take, local.user ?? userInfo().username);
        context
          .output(options)
          .result(
            view(resolved),
            `conflict ${id} resolved: ${resolved.outcome} (${resolved.objectType}:${resolved.objectGuid})`,
          );
      }),
    );
}
