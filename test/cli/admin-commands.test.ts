// Commands that only read or manage rows (issue 18, item 8) need only the secrets they use, and never change the
// schema of the database they are pointed at: they say to run `syncbus migrate` when it is missing or behind.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ifPostgres, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { runCli } from '../support/run-cli';

/** Writes a config into a new folder; `cli` runs syncbus against it with `env`. */
function host(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-admin-commands-'));
  const file = join(dir, 'syncbus.config.json');
  writeFileSync(file, JSON.stringify({ nodeName: 'editorial', ...config }));
  return { dir, cli: (...args: string[]) => runCli(['-c', file, ...args], { cwd: dir, env }) };
}

describe('administrative commands', () => {
  let database: TestDatabase | undefined;
  afterAll(() => database?.drop());

  it('run without the secrets they do not read, and fail naming the one they do', async () => {
    const node = host({
      database: { url: 'sqlite:node.sqlite' },
      http: { metricsToken: 'env:SYNCBUS_UNSET_METRICS_TOKEN' },
      servers: [{ name: 'production', url: 'http://127.0.0.1:9', secret: 'env:SYNCBUS_UNSET_SERVER_SECRET' }],
    });
    expect((await node.cli('migrate')).code).toBe(0);
    const listed = await node.cli('servers', 'list', '--json');
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'production' })]);
    // Sending needs the server's secret: that command fails, naming it.
    const sync = await node.cli('tasks', 'sync', '--server', 'production');
    expect(sync.code).not.toBe(0);
    expect(sync.stderr + sync.stdout).toMatch(/SYNCBUS_UNSET_SERVER_SECRET.*is not set/);
    // A node that starts still needs every secret its config names.
    const check = await node.cli('config', 'check');
    expect(check.code).toBe(3);
    expect(check.stderr).toMatch(/SYNCBUS_UNSET_METRICS_TOKEN is not set/);
  });

  it('refuse a SQLite database that is not migrated, changing nothing, until `syncbus migrate` ran', async () => {
    const node = host({ database: { url: 'sqlite:fresh.sqlite' } });
    const refused = await node.cli('tasks', 'list');
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/not migrated .*run 'syncbus migrate'/);
    expect((await node.cli('migrate')).code).toBe(0);
    expect((await node.cli('tasks', 'list')).code).toBe(0);
  });

  ifPostgres(it)('never create a schema in a PostgreSQL database they are pointed at', async () => {
    database = await requireTestDatabase('admin_commands');
    const node = host({ database: { url: database.url } });
    const tables = async () => {
      const client = new Client({ connectionString: database!.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
        );
        return rows[0].n as number;
      } finally {
        await client.end();
      }
    };
    for (const command of [
      ['tasks', 'list'],
      ['servers', 'list'],
      ['connectors', 'list'],
    ]) {
      const run = await node.cli(...command);
      expect({ command, code: run.code }).toEqual({ command, code: 5 });
      expect(run.stderr).toMatch(/run 'syncbus migrate'/);
    }
    expect(await tables()).toBe(0);
    expect((await node.cli('migrate')).code).toBe(0);
    expect(await tables()).toBeGreaterThan(5);
    expect((await node.cli('servers', 'list')).code).toBe(0);
  });
});
