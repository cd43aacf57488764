// `syncbus objects ...`: the object types a node serves (what its model packages gave it), and writing objects
// into it from a file, as a host would, so each write logs its tasks.
import {
  formatProblems,
  MAX_JSON_DEPTH,
  jsonDepthExceeds,
  ObjectTypes,
  Storage,
  zodProblems,
} from '@syncbus/core';
import { ObjectApplier } from '@syncbus/core/internal';
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { CliContext, GlobalOptions } from '../cli-context';
import { CliError, ExitCode, exitCodeOf } from '../cli-error';
import { wholeNumber } from './whole-number';

/** Largest import file read: a file is parsed whole, so its size is checked before a byte is read. */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

/** An import file: objects in the shape a staging task carries them (docs/staging-protocol.md). */
const ImportFileSchema = z.strictObject({
  objects: z
    .array(
      z.strictObject({
        objectType: z.string().min(1),
        objectGuid: z.string().min(1),
        data: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .max(100_000),
});

/** Registers `objects types|list|import`. */
export function registerObjectsCommand(program: Command, context: CliContext): void {
  const objects = program
    .command('objects')
    .description("The node's synchronized object types (from its model packages), and importing objects");

  objects
    .command('types')
    .description('List the object types this node stores and applies, with how many objects each has')
    .action(async (_o, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, async (kernel) => {
        const manager = kernel.get(Storage).dataSource.manager;
        const rows = [];
        for (const type of kernel.get(ObjectTypes).types) {
          const info = kernel.get(ObjectTypes).find(type)!;
          rows.push({
            type,
            entity: info.metadata.name,
            table: info.metadata.tableName,
            identity: info.options.identity,
            objects: await manager.getRepository(info.metadata.target).count(),
          });
        }
        if (rows.length === 0 && !options.json) {
          context
            .output(options)
            .message(
              'This node has no synchronized object types: add a model package to "plugins" in its config ' +
                '(see docs/model-packages.md).',
            );
          return;
        }
        context.output(options).table(rows, [
          { header: 'type', value: (r) => r.type },
          { header: 'entity', value: (r) => r.entity },
          { header: 'table', value: (r) => r.table },
          { header: 'identity', value: (r) => r.identity },
          { header: 'objects', value: (r) => r.objects, right: true },
        ]);
      });
    });

  objects
    .command('list <type>')
    .description('List the objects of one type by identity and title, in identity order')
    .option('--limit <n>', 'at most this many', wholeNumber('--limit', 10_000), 100)
    .action(async (type: string, local: { limit: number }, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      await context.withNode(options, async (kernel) => {
        const types = kernel.get(ObjectTypes);
        const info = types.find(type);
        if (!info) {
          throw new CliError(
            `Object type '${type}' is not synchronized on this node (known: ${types.types.join(', ') || 'none'}).`,
            ExitCode.notFound,
          );
        }
        const { identity, title } = info.options;
        const found = await kernel
          .get(Storage)
          .dataSource.getRepository(info.metadata.target)
          .find({ order: { [identity]: 'ASC' }, take: local.limit });
        const rows = found.map((o: Record<string, unknown>) => ({
          identity: String(o[identity]),
          title: title ? String(o[title] ?? '') : '',
        }));
        context.output(options).table(rows, [
          { header: 'identity', value: (r) => r.identity },
          { header: 'title', value: (r) => r.title },
        ]);
      });
    });

  objects
    .command('import <file>')
    .description(
      'Create or update objects from a JSON file ({ "objects": [{ objectType, objectGuid, data }] }), in one ' +
        'transaction; each change logs its tasks as a host write does',
    )
    .option('--user <name>', 'who made the changes (recorded on the tasks)')
    .action(async (file: string, local: { user?: string }, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const objectsToImport = readImportFile(resolve(file));
      await context.withNode(options, async (kernel) => {
        const applier = kernel.get(ObjectApplier);
        // One transaction: a file with one bad object imports nothing, and says which object it was.
        await kernel.get(Storage).transaction(async (manager) => {
          for (const [index, snapshot] of objectsToImport.entries()) {
            try {
              await applier.apply(manager, { taskType: 'update', snapshot, user: local.user });
            } catch (error) {
              throw new CliError(
                `objects[${index}] (${snapshot.objectType} '${snapshot.objectGuid}'): ${(error as Error).message} ` +
                  'Nothing was imported.',
                exitCodeOf(error),
              );
            }
          }
        });
        context
          .output(options)
          .result(
            { imported: objectsToImport.length },
            `imported ${objectsToImport.length} object(s); their tasks are logged for this node's servers`,
          );
      });
    });
}

/** Reads and validates an import file, refusing it before it is read when it is too large. */
function readImportFile(path: string) {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new CliError(`No import file at ${path}.`, ExitCode.notFound);
  }
  if (size > MAX_IMPORT_BYTES) {
    throw new CliError(
      `${path} is ${size} bytes; an import file may have at most ${MAX_IMPORT_BYTES}. Split it into smaller files.`,
      ExitCode.usage,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`${path} is not JSON: ${(error as Error).message}`, ExitCode.usage);
  }
  if (jsonDepthExceeds(parsed)) {
    throw new CliError(`${path} nests deeper than ${MAX_JSON_DEPTH} levels.`, ExitCode.usage);
  }
  const result = ImportFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new CliError(
      `${path} is not an import file (${formatProblems(zodProblems(result.error), 'inline')}). ` +
        'Expected { "objects": [{ "objectType", ' +
        '"objectGuid", "data" }] }.',
      ExitCode.usage,
    );
  }
  return result.data.objects;
}
