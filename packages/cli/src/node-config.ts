// Finds and reads the node's config file for a command: --config, $SYNCBUS_CONFIG, or ./syncbus.config.{json,js,cjs,ts}.
import { readConfigFile } from '@syncbus/core/internal';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, ExitCode } from './cli-error';

/** A config file as read: its raw object and the folder its relative paths resolve against. */
export interface NodeConfig {
  readonly file: string;
  readonly baseDir: string;
  readonly config: Record<string, unknown>;
}

const DEFAULT_NAMES = ['syncbus.config.json', 'syncbus.config.js', 'syncbus.config.cjs', 'syncbus.config.ts'];

/** Reads the config named by `--config`, `$SYNCBUS_CONFIG`, or the first default name in the working folder. */
export function loadNodeConfig(option: string | undefined, cwd = process.cwd()): NodeConfig {
  const named = option ?? process.env.SYNCBUS_CONFIG;
  const file = named
    ? resolve(cwd, named)
    : DEFAULT_NAMES.map((n) => resolve(cwd, n)).find((f) => existsSync(f));
  if (!file) {
    throw new CliError(
      `No config file found in ${cwd}. Create syncbus.config.json (see README "Configuration") or pass --config FILE.`,
      ExitCode.config,
    );
  }
  return { file, baseDir: dirname(file), config: readConfigFile(file) };
}
