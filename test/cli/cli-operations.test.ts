// The CLI operating a real node: servers, pending tasks, sync with progress, retry and delete, and `start`.
import { ObjectChanges } from '@syncbus/core';
import { STAGING_TASKS_PATH } from '@syncbus/staging';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Article, Category } from '../support/content-model';
import { CLI_BIN, runCli } from '../support/run-cli';
import {
  bootStagingNode,
  createTestSecret,
  eventually,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';

describe('syncbus CLI on a real node', () => {
  let target: StagingNode;
  let secret: TestSecret;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const databaseUrl = tempSqliteUrl('cli-source');

  beforeAll(async () => {
    secret = createTestSecret();
    target = await bootStagingNode({ name: 'target', acceptFrom: [{ server: 'editorial', secret }] });
    const source = await bootStagingNode({
      name: 'editorial',
      databaseUrl,
      http: false,
      servers: [{ name: 'target', url: target.url!, secret }],
    });
    // Three changes that apply on the target and one task type the target has no handler for.
    await source.storage.transaction(async (manager) => {
      const category = await manager.save(Category, { code: 'news', name: 'News' });
      await manager.save(Article, { guid: 'a-1', title: 'First', categoryId: category.id });
    });
    await source.storage.dataSource.getRepository(Article).save({ guid: 'a-2', title: 'Second' });
    await source.kernel
      .get(ObjectChanges)
      .logObjectChange({ guid: 'a-2', title: 'Second' }, 'publish', { objectType: 'cms.article' });
    await source.stop();

    dir = mkdtempSync(join(tmpdir(), 'syncbus-cli-ops-'));
    writeFileSync(
      join(dir, 'syncbus.config.json'),
      JSON.stringify({
        nodeName: 'editorial',
        database: { url: databaseUrl },
        http: { port: 0 },
        staging: { retry: { maxAttempts: 1, baseDelayMs: 1000, maxDelayMs: 1000 } },
        servers: [{ name: 'target', url: target.url, secret: secret.ref }],
      }),
    );
    env = { [secret.variable]: secret.value };
    // Commands that manage rows never change the schema: the operator migrates first.
    expect((await runCli(['migrate'], { cwd: dir, env })).code).toBe(0);
  });
  afterAll(() => target.stop());

  const cli = (...args: string[]) => runCli(args, { cwd: dir, env });

  it('adds a server and lists servers as a table and as JSON', async () => {
    const added = await cli(
      'servers',
      'add',
      '--name',
      'prod',
      '--url',
      'http://127.0.0.1:9',
      '--secret',
      'env:PROD_SECRET',
      '--disabled',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/added server 'prod'/);
    const table = await cli('servers', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^ID\s+NAME\s+DISPLAY NAME\s+URL\s+ENABLED\s+PAUSED\s+SECRET$/,
    );
    const json = JSON.parse((await cli('servers', 'list', '--json')).stdout);
    expect(json.map((s: { name: string; enabled: boolean }) => [s.name, s.enabled])).toEqual([
      ['prod', false],
      ['target', true],
    ]);
    const bad = await cli('servers', 'add', '--name', 'x', '--url', 'not a url', '--secret', 'plain-secret');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/url: Invalid URL[\s\S]*secret: must be a reference/);
  });

  it('lists pending tasks, syncs them with progress, and leaves the one the target refuses failed', async () => {
    const pending = JSON.parse((await cli('tasks', 'list', '--server', 'target', '--json')).stdout);
    expect(
      pending.map((t: { taskType: string; objectGuid: string }) => `${t.taskType} ${t.objectGuid}`),
    ).toEqual(['create news', 'create a-1', 'create a-2', 'publish a-2']);
    const sync = await cli('tasks', 'sync', '--server', 'target');
    if (sync.code !== 6) throw new Error(`unexpected sync run: ${JSON.stringify(sync)}`);
    expect(sync.code).toBe(6);
    expect(sync.stderr).toMatch(/sync target: 4\/4/);
    expect(sync.stdout).toMatch(/target: sent 4, applied 3, duplicates 0, failed 1/);
    expect(sync.stderr).toMatch(/Not everything was delivered to target/);
    const applied = await target.storage.dataSource.getRepository(Article).find({ order: { guid: 'ASC' } });
    expect(applied.map((a) => a.guid)).toEqual(['a-1', 'a-2']);

    const failed = JSON.parse((await cli('tasks', 'list', '--status', 'failed', '--json')).stdout);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ taskType: 'publish', status: 'failed', attempts: 1 });
    expect(failed[0].lastError).toMatch(/publish/);

    const shown = await cli('tasks', 'show', String(failed[0].taskId), '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ objectGuid: 'a-2', taskType: 'publish' });

    const retried = await cli('tasks', 'retry', String(failed[0].taskId));
    expect(retried.stdout).toMatch(/retried 1/);
    const afterRetry = JSON.parse((await cli('tasks', 'list', '--json')).stdout);
    expect(afterRetry[0]).toMatchObject({ status: 'pending', attempts: 0 });

    const deleted = await cli('tasks', 'delete', String(failed[0].taskId));
    expect(deleted.stdout).toMatch(/deleted 1/);
    expect(JSON.parse((await cli('tasks', 'list', '--json')).stdout)).toEqual([]);
  });

  it('names unknown servers and tasks with exit code 4, and bad ids with exit code 2', async () => {
    const unknown = await cli('tasks', 'sync', '--server', 'nope');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/No staging server 'nope'/);
    expect((await cli('servers', 'enable', 'nope')).code).toBe(4);
    expect((await cli('tasks', 'show', '999999')).code).toBe(4);
    const badId = await cli('tasks', 'retry', 'abc');
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/'abc' is not a task id/);
  });

  const startNode = (args: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}) => {
    const child = spawn(process.execPath, [CLI_BIN, 'start', ...args], {
      cwd: dir,
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = () =>
      eventually(() => /running at (http:\/\/\S+)/.exec(stdout)?.[1], 'the node to print its URL', 15000);
    return { child, exited, url, stdout: () => stdout };
  };

  it('starts a worker process (--role worker, over SYNCBUS_ROLE): health and role served, the receiver route not', async () => {
    // The flag wins over the environment too.
    const node = startNode(['--role', 'worker'], { SYNCBUS_ROLE: 'log-only' });
    try {
      const url = await node.url();
      expect(node.stdout()).toMatch(/as role worker/);
      const health = await fetch(`${url}/healthz`);
      expect(await health.json()).toEqual({
        status: 'ok',
        database: 'sqlite',
        role: 'worker',
        wakeups: 'unused',
      });
      const receiver = await fetch(`${url}${STAGING_TASKS_PATH}`, { method: 'POST', body: '{}' });
      expect(receiver.status).toBe(404);
    } finally {
      node.child.kill('SIGTERM');
    }
    expect(await node.exited).toBe(0);
  });

  it('workers list on SQLite says there are none to list, and why', async () => {
    const result = await runCli(['workers', 'list'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/SQLite: one process uses it at a time/);
  });

  it('refuses a role it does not know, naming the ones it does', async () => {
    const result = await runCli(['start', '--role', 'boss'], { cwd: dir, env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/boss.*all, worker, receiver, log-only/s);
  });

  it('starts a node that serves /healthz and stops cleanly on SIGTERM', async () => {
    const node = startNode();
    try {
      const health = await fetch(`${await node.url()}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      node.child.kill('SIGTERM');
    }
    expect(await node.exited).toBe(0);
    expect(node.stdout()).toMatch(/syncbus node stopped/);
  });
});
