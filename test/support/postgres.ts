// A fresh PostgreSQL database per test suite on the local server, dropped afterwards, and the probe that declares
// PostgreSQL tests skipped when no server answers. Outside CI a missing server skips (loudly, and Jest counts the
// tests as skipped, not passed); in CI (`CI=true`) it is a failure, so PostgreSQL coverage can never silently vanish.
import { execFileSync } from 'node:child_process';
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

/**
 * `createTestDatabase` for a suite declared through `ifPostgres`: the probe found a server, so a missing one now is
 * a failure, never a silent fall-back to SQLite.
 */
export async function requireTestDatabase(label?: string): Promise<TestDatabase> {
  const database = await createTestDatabase(label);
  if (!database) throw new Error('PostgreSQL answered the probe but no test database could be created');
  return database;
}

/** Whether a PostgreSQL server answered the probe, and why not when it did not. */
export type PostgresProbe = { reachable: true } | { reachable: false; reason: string };

let probed: PostgresProbe | undefined;

/**
 * Whether a PostgreSQL server answers, decided synchronously while Jest collects the tests (a child node process
 * tries the servers `createTestDatabase` tries), so a missing server is reported as skipped tests, not passed ones.
 * Probed once per test file (Jest gives each file its own module registry). In CI a missing server throws.
 */
export function probePostgres(): PostgresProbe {
  probed ??= probe();
  return probed;
}

function probe(): PostgresProbe {
  const script = `
    const { Client } = require(${JSON.stringify(require.resolve('pg'))});
    (async () => {
      const errors = [];
      for (const url of JSON.parse(process.argv[1])) {
        const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
        try { await client.connect(); await client.end(); process.exit(0); }
        catch (error) { errors.push(error.message); }
      }
      process.stderr.write(errors.join('; '));
      process.exit(1);
    })();`;
  try {
    execFileSync(process.execPath, ['-e', script, JSON.stringify(adminUrls())], {
      stdio: 'pipe',
      timeout: 15_000,
    });
    return { reachable: true };
  } catch (error) {
    const reason = String((error as { stderr?: Buffer }).stderr ?? error).trim() || String(error);
    if (process.env.CI === 'true')
      throw new Error(`PostgreSQL is required in CI but did not answer: ${reason}`);
    console.warn(`\n*** SKIPPED: PostgreSQL tests did not run, no server answered (${reason}).\n`);
    return { reachable: false, reason };
  }
}

/** A Jest declaration (`describe`, `it`, `test`) without its modifiers: a name, then what the declaration takes. */
type Declare<A extends unknown[]> = (name: string, ...rest: A) => void;

/**
 * `block` itself when PostgreSQL answers (or `needsPostgres` is false, for a suite's SQLite variant), else
 * `block.skip` with the reason in the name: `ifPostgres(describe)('…', () => …)`, `ifPostgres(it)('…', async () => …)`.
 */
export function ifPostgres<A extends unknown[]>(
  block: Declare<A> & { skip: Declare<A> },
  needsPostgres = true,
): Declare<A> {
  if (!needsPostgres) return block;
  const postgres = probePostgres();
  if (postgres.reachable) return block;
  return (name, ...rest) =>
    block.skip(`${name} (skipped: PostgreSQL unreachable: ${postgres.reason})`, ...rest);
}

/** The engines a suite runs on; only the PostgreSQL variant needs a server. */
export type Engine = 'sqlite' | 'postgres';

/**
 * `describe.each(engines)(name, body)`, `%s` in `name` standing for the engine, with the PostgreSQL variant declared
 * through `ifPostgres(describe)`: when no server answers it is skipped while the SQLite variant runs.
 */
export function describeEachEngine<E extends Engine>(
  engines: readonly E[],
): (name: string, body: (engine: E) => void) => void {
  return (name, body) => {
    for (const engine of engines)
      ifPostgres(describe, engine === 'postgres')(name.replace('%s', engine), () => body(engine));
  };
}
