// `syncbus config check`: validates a config file, its plugins and every module's section, then what the config
// names in storage (servers), the same checks `start` runs, without changing the database.
import { existsSync } from 'node:fs';
import { ConfigError, Kernel, SyncbusError } from '@syncbus/core';
import { parseDatabaseUrl } from '@syncbus/core/internal';
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
      const stored = await checkStoredState(
        context,
        options,
        raw,
        result.settings.core.database.url,
        baseDir,
      );
      context.output(options).result(
        {
          file,
          valid: true,
          nodeName: result.settings.core.nodeName,
          plugins: result.plugins.map((p) => p.packageName),
          modules: result.modules,
          storedState: stored,
        },
        `${file} is valid (node '${result.settings.core.nodeName}', modules: ${result.modules.join(', ') || 'none'})` +
          (stored.database === 'checked'
            ? ''
            : stored.database === 'empty'
              ? `; checked against an empty database: ${stored.reason}`
              : `; not checked against the database: ${stored.reason}`),
      );
    });
}

/**
 * Whether the config was checked against the node's database, against an empty one (none exists yet), or not
 * against storage at all (the database cannot be reached; `start` will check it).
 */
type StoredStateCheck = { database: 'checked' } | { database: 'empty' | 'unreachable'; reason: string };

/**
 * Runs the modules' storage checks (`onCheck`) on the node opened read-only: no migrations, no background work.
 * Where the database does not exist yet or is not migrated, `start` would find it empty, so the checks run against
 * an empty in-memory one instead. Throws the `ConfigError` `start` would throw.
 */
async function checkStoredState(
  context: CliContext,
  options: GlobalOptions,
  raw: Record<string, unknown>,
  url: string,
  baseDir: string,
): Promise<StoredStateCheck> {
  const target = parseDatabaseUrl(url, baseDir);
  let result: StoredStateCheck = { database: 'checked' };
  let kernel: Kernel | undefined;
  if (target.kind === 'sqlite' && target.file !== ':memory:' && !existsSync(target.file))
    result = { database: 'empty', reason: `${target.file} does not exist yet` };
  else
    kernel = await context.open(options).catch((error: unknown) => {
      if (!(error instanceof SyncbusError)) throw error;
      if (error.code === 'SCHEMA_NOT_MIGRATED')
        result = { database: 'empty', reason: 'the database is not migrated yet' };
      else if (error.code === 'DATABASE_UNREACHABLE')
        result = { database: 'unreachable', reason: error.message };
      else throw error;
      return undefined;
    });
  if (result.database === 'unreachable') return result;
  kernel ??= await context.open(options, {
    config: { ...raw, database: { ...(raw.database as object), url: 'sqlite::memory:' } },
    migrate: true,
  });
  try {
    const problems = await kernel.checkStoredState();
    if (problems.length > 0) throw new ConfigError(problems);
    return result;
  } finally {
    await kernel.stop();
  }
}
