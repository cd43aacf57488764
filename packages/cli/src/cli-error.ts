// Errors a user of the command line can cause, each with its own exit code.
import { ConfigError, SyncbusError } from '@syncbus/core';

/** Exit codes of `syncbus`: stable, so scripts can branch on them. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  notFound: 4,
  database: 5,
  /** `tasks sync` / `demo --once` finished but not everything arrived. */
  incomplete: 6,
} as const;

/** A user-facing error: printed as one line (no stack unless --verbose), exits with `exitCode`. */
export class CliError extends SyncbusError {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
    code = 'CLI_ERROR',
  ) {
    super(code, message);
  }
}

/** The exit code for any error: CliError's own, config → 3, database → 5, not found → 4, else 1. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError) return ExitCode.config;
  if (error instanceof SyncbusError) {
    if (error.code === 'DATABASE_UNREACHABLE' || error.code === 'SCHEMA_NOT_MIGRATED')
      return ExitCode.database;
    if (/NOT_FOUND$|^UNKNOWN_/.test(error.code)) return ExitCode.notFound;
    if (/INVALID_INPUT$/.test(error.code)) return ExitCode.usage;
    if (error.code === 'PLUGIN_LOAD_FAILED' || error.code === 'MODULE_GRAPH_INVALID') return ExitCode.config;
  }
  return ExitCode.failure;
}
