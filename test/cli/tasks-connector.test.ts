// `syncbus tasks ... --connector NAME` on a node whose integration tasks wait for the scripted fixture connectors:
// listing them and deleting some of one connector's, leaving the other connector's alone.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Storage } from '@syncbus/core';
import { bootIntegrationNode, connectorEntry } from '../integration/integration-node';
import { Article, Category } from '../support/content-model';
import { runCli } from '../support/run-cli';
import { tempSqliteUrl } from '../support/temp-sqlite';

describe('syncbus tasks --connector', () => {
  const databaseUrl = tempSqliteUrl('cli-connector-tasks');
  let dir: string;

  beforeAll(async () => {
    // Three changes logged for both connectors; nothing processes them, so they wait.
    const node = await bootIntegrationNode({ url: databaseUrl, integration: { processInternal: false } });
    try {
      const { dataSource } = node.get(Storage);
      const category = await dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
      await dataSource.getRepository(Article).save({ guid: 'a-1', title: 'First', categoryId: category.id });
      await dataSource.getRepository(Article).save({ guid: 'a-2', title: 'Second' });
    } finally {
      await node.stop();
    }
    dir = mkdtempSync(join(tmpdir(), 'syncbus-cli-connector-tasks-'));
    symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(
      join(dir, 'syncbus.config.json'),
      JSON.stringify({
        database: { url: databaseUrl },
        plugins: ['@syncbus-fixtures/scripted-connector'],
        connectors: [connectorEntry('alpha'), connectorEntry('beta')],
      }),
    );
    // Commands that manage rows never change the schema: the operator migrates first.
    expect((await runCli(['migrate'], { cwd: dir })).code).toBe(0);
  });
  const cli = (...args: string[]) => runCli(args, { cwd: dir });
  const listed = async (connector: string) => {
    const run = await cli('tasks', 'list', '--connector', connector, '--json');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as { taskId: number; objectType: string; objectGuid: string }[];
  };
  const tasksInDatabase = () => {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM integration_task').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it("deletes the given tasks of one connector, with --json and for people, and leaves the other's", async () => {
    const alpha = await listed('alpha');
    const beta = await listed('beta');
    expect(alpha.map((t) => `${t.objectType}:${t.objectGuid}`)).toEqual([
      'cms.category:news',
      'cms.article:a-1',
      'cms.article:a-2',
    ]);
    expect(beta).toHaveLength(3);
    expect(tasksInDatabase()).toBe(6);

    const json = await cli(
      'tasks',
      'delete',
      String(alpha[0].taskId),
      String(alpha[1].taskId),
      '--connector',
      'alpha',
      '--json',
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ deleted: 2 });
    const human = await cli('tasks', 'delete', String(alpha[2].taskId), '--connector', 'alpha');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/deleted 1 synchronization/);

    expect(await listed('alpha')).toEqual([]);
    expect(await listed('beta')).toEqual(beta);
    // The tasks went with their rows.
    expect(tasksInDatabase()).toBe(3);
  });

  it('names a task that does not wait for that connector and an unknown connector with exit code 4', async () => {
    const [betaTask] = await listed('beta');
    const elsewhere = await cli('tasks', 'delete', String(betaTask.taskId), '--connector', 'alpha');
    expect(elsewhere.code).toBe(4);
    expect(elsewhere.stderr).toMatch(/No waiting task matched/);
    expect(await listed('beta')).toContainEqual(betaTask);

    const unknown = await cli('tasks', 'delete', '1', '--connector', 'nope');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/No integration connector named 'nope'/);
    const badId = await cli('tasks', 'delete', 'x', '--connector', 'alpha');
    expect(badId.code).toBe(2);
  });
});
