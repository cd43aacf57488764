// Processes of one node that start together on a fresh database (a `syncbus start` and a CLI command, several
// PostgreSQL workers) take turns migrating: every one succeeds, and each migration ran once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { describeEachEngine, requireTestDatabase } from '../support/postgres';
import { runCli } from '../support/run-cli';

const root = resolve(__dirname, '..', '..');

describeEachEngine(['sqlite', 'postgres'] as const)('migrations on %s', (kind) => {
  it('run once when three processes migrate the same fresh database at the same time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncbus-migrations-'));
    const postgres = kind === 'postgres' ? await requireTestDatabase('migrations') : undefined;
    const url = postgres ? postgres.url : `sqlite:${join(dir, 'node.sqlite')}`;
    try {
      const config = join(dir, 'syncbus.config.json');
      writeFileSync(
        config,
        JSON.stringify({ database: { url }, plugins: ['@syncbus/sample-content-model'] }),
      );
      const runs = await Promise.all([1, 2, 3].map(() => runCli(['-c', config, 'migrate'], { cwd: root })));
      expect(runs.map((r) => [r.code, r.stderr])).toEqual([
        [0, ''],
        [0, ''],
        [0, ''],
      ]);
      const names = await migrationsRun(url);
      expect(names).toContain('CreateContentModel1700000000001');
      expect(new Set(names).size).toBe(names.length);
    } finally {
      await postgres?.drop();
    }
  });
});

async function migrationsRun(url: string): Promise<string[]> {
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      return (db.prepare('SELECT name FROM migrations').all() as { name: string }[]).map((m) => m.name);
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ name: string }>('SELECT name FROM migrations')).rows.map((m) => m.name);
  } finally {
    await client.end();
  }
}
