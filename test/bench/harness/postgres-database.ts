// A fresh PostgreSQL database per measurement, created on the machine's server and dropped afterwards.
import { Client } from 'pg';
import type { BenchContext } from './bench-context';

let databases = 0;

/** Runs `fn` on a fresh database of this run, dropped afterwards. */
export async function withPostgresDatabase<T>(
  ctx: BenchContext,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const name = `syncbus_bench_${ctx.runId}_${++databases}`;
  const url = await createPostgresDatabase(ctx.postgresAdminUrl, name);
  try {
    return await fn(url);
  } finally {
    await dropPostgresDatabase(ctx.postgresAdminUrl, name);
  }
}

/** Creates database `name` through `adminUrl` and returns its URL. */
export async function createPostgresDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error(`database name '${name}' must be lower-case letters, digits and _`);
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    // Identifiers cannot be parameters; the name is checked above.
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops database `name` (ending its leftover sessions). */
export async function dropPostgresDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) return;
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Whether PostgreSQL answers at `adminUrl`; the reason when it does not. */
export async function postgresUnavailable(adminUrl: string): Promise<string | undefined> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL does not answer at ${adminUrl.replace(/\/\/[^@/]*@/, '//***@')}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
