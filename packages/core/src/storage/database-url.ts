// Parses the one database setting, a URL, into what TypeORM needs: SQLite file (default) or PostgreSQL.
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors';

/** The database a URL names. */
export type DatabaseTarget =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

/**
 * `sqlite:relative/or/absolute.sqlite`, `sqlite:///abs/path.sqlite`, `sqlite::memory:`, or
 * `postgres://` / `postgresql://`. Relative SQLite paths resolve against `baseDir` (the config file's folder).
 */
export function parseDatabaseUrl(url: string, baseDir: string = process.cwd()): DatabaseTarget {
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  const match = /^sqlite:(?:\/\/)?(.+)$/.exec(url);
  if (match) {
    const file = match[1];
    if (file === ':memory:') return { kind: 'sqlite', file };
    return { kind: 'sqlite', file: isAbsolute(file) ? file : resolve(baseDir, file) };
  }
  throw new ConfigError([
    {
      path: 'database.url',
      message: `unsupported database URL '${url.replace(/\/\/[^@/]*@/, '//***@')}'; use sqlite:<file> or postgres://...`,
    },
  ]);
}
