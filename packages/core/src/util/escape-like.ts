// One escaping of text searched with SQL LIKE, so a user's `%` or `_` matches itself on SQLite and PostgreSQL.

/** `value` with LIKE's wildcards and the escape character escaped, for `LIKE ? ESCAPE '\'`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
