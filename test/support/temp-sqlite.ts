// A fresh SQLite file per test, in its own temporary folder, as a `database.url` value.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `sqlite:/tmp/syncbus-<prefix>-XXXX/node.sqlite`: a new, empty database file each call. */
export function tempSqliteUrl(prefix = 'test'): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), `syncbus-${prefix}-`)), 'node.sqlite')}`;
}
