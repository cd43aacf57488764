// A fresh PostgreSQL database per test suite on the local server, dropped afterwards. Outside CI a missing server
// skips (loudly); in CI (`CI=true`) it is a failure, so PostgreSQL coverage can never silently vanish.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A database created for one suite. */
export interface TestDatabase {
  /** `postgres://user@127.0.0.1:5432/syncbus_test_<label>_<random>`, for `database.url`. */
  readonly url: string;
  readonly name: string;
  /** Drops the database (closing any connection still open to it). Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Where the server is. `SYNCBUS_TEST_POSTGRES_URL` (a URL of the maintenance database, e.g.
 * `postgres://me@db:5432/postgres`) overrides the defaults: the local server with trust auth, as user
 * `postgres`, else `root`.
 */
function adminUrls(): string[] {
  const configured = process.env.SYNCBUS_TEST_POSTGRES_URL;
  if (configured) return [configured];
  return ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'];
}

const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

async function connectAdmin(): Promise<{ client: Client; url: string } | { errors: string[] }> {
  const errors: string[] = [];
  for (const url of adminUrls()) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      return { client, url };
    } catch (error) {
      errors.push(`${redact(url)}: ${(error as Error).message}`);
      await client.end().catch(() => undefined);
    }
  }
  return { errors };
}

/**
 * Creates `syncbus_test_<label>_<random>` and returns its URL, or `undefined` (after a console warning) when no
 * PostgreSQL server answers and `CI` is not `true`. In CI an unreachable server throws.
 */
export async function createTestDatabase(label = 'suite'): Promise<TestDatabase | undefined> {
  const admin = await connectAdmin();
  if ('errors' in admin) {
    const detail = admin.errors.join('; ');
    if (process.env.CI === 'true') {
      throw new Error(
        `PostgreSQL is required in CI but did not answer (${detail}). Start it (see .ci/run) or set ` +
          'SYNCBUS_TEST_POSTGRES_URL.',
      );
    }
    console.warn(
      `\n*** SKIPPED: PostgreSQL tests did not run, no server answered (${detail}).\n` +
        '*** Start PostgreSQL on 127.0.0.1:5432 or set SYNCBUS_TEST_POSTGRES_URL; with CI=true this fails.\n',
    );
    return undefined;
  }
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const name = `syncbus_test_${safeLabel}_${randomBytes(4).toString('hex')}`;
  try {
    await admin.client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.client.end();
  }
  const target = new URL(admin.url);
  target.pathname = `/${name}`;
  let dropped = false;
  return {
    url: target.toString(),
    name,
    async drop() {
      if (dropped) return;
      const again = await connectAdmin();
      if ('errors' in again) throw new Error(`could not drop ${name}: ${again.errors.join('; ')}`);
      try {
        await again.client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        dropped = true;
      } finally {
        await again.client.end();
      }
    },
  };
}
