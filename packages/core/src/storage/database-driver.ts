// Loads a database engine's driver when a node opens that engine, not when core is loaded: `better-sqlite3` and
// `pg` are optional peers of @syncbus/core, and a host installs only the one its `database.url` names.
import type BetterSqlite3 from 'better-sqlite3';
import type * as Pg from 'pg';
import { SyncbusError } from '../errors';
import type { StorageKind } from './storage';

/** The driver module of each engine. */
export interface DatabaseDrivers {
  readonly sqlite: typeof BetterSqlite3;
  readonly postgres: typeof Pg;
}

/** The npm package of each engine's driver. */
export const DATABASE_DRIVER_PACKAGES: { readonly [K in StorageKind]: string } = {
  sqlite: 'better-sqlite3',
  postgres: 'pg',
};

const ENGINE_NAMES: { readonly [K in StorageKind]: string } = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/**
 * The driver of `kind`, resolved from core's own folder (so from the host's node_modules, where npm puts peers).
 * A driver that is not installed is `DATABASE_DRIVER_MISSING`, naming the command that installs it; one that is
 * installed but does not load (a native module built for another Node.js) is the same code, saying to rebuild it.
 * `load` is `require` except in the unit spec.
 */
export function loadDatabaseDriver<K extends StorageKind>(
  kind: K,
  load: (id: string) => unknown = require,
): DatabaseDrivers[K] {
  const name = DATABASE_DRIVER_PACKAGES[kind];
  try {
    return load(name) as DatabaseDrivers[K];
  } catch (error) {
    const engine = ENGINE_NAMES[kind];
    if (isMissing(error, name))
      throw new SyncbusError(
        'DATABASE_DRIVER_MISSING',
        `database.url names a ${engine} database, but its driver '${name}' is not installed; ` +
          `install ${name}: npm install ${name}`,
        { cause: error },
      );
    throw new SyncbusError(
      'DATABASE_DRIVER_MISSING',
      `database.url names a ${engine} database, but its driver '${name}' does not load ` +
        `(${(error as Error).message}); reinstall or rebuild it: npm rebuild ${name}`,
      { cause: error },
    );
  }
}

/** Whether `error` says the package `name` itself is missing (not one of its own imports). */
function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}
