// Kentico's Staging application filters by task group and user, and synchronizes a whole server: the CLI's
// --group / --user filters on tasks list|sync|delete and `servers sync-all`, driven as a subprocess on real nodes.
import { runInChangeScope } from '@syncbus/core';
import { runInTaskGroup } from '@syncbus/staging';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Category } from '../support/content-model';
import { runCli } from '../support/run-cli';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';

describe('syncbus tasks --group/--user and servers sync-all', () => {
  let target: StagingNode;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const secret = createTestSecret();
    const databaseUrl = tempSqliteUrl('cli-groups');
    target = await bootStagingNode({ name: 'target', acceptFrom: [{ server: 'editorial', secret }] });
    const source = await bootStagingNode({
      name: 'editorial',
      databaseUrl,
      http: false,
      servers: [{ name: 'target', url: target.url!, secret }],
    });
    const categories = source.storage.dataSource.getRepository(Category);
    await runInTaskGroup('spring_sale', () =>
      runInChangeScope({ user: 'alice' }, async () => {
        await categories.save({ code: 'spring-1', name: 'Spring 1' });
        await categories.save({ code: 'spring-2', name: 'Spring 2' });
      }),
    );
    await runInChangeScope({ user: 'bob' }, () => categories.save({ code: 'bob-1', name: 'Bob 1' }));
    await runInChangeScope({ user: 'alice' }, () => categories.save({ code: 'plain-1', name: 'Plain 1' }));
    await source.stop();

    dir = mkdtempSync(join(tmpdir(), 'syncbus-cli-groups-'));
    // The host folder has its model package installed, as `npm install` would leave it: the CLI's node then
    // knows the staged types (`servers sync-all` needs them).
    symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(
      join(dir, 'syncbus.config.json'),
      JSON.stringify({
        nodeName: 'editorial',
        plugins: ['@syncbus/sample-content-model'],
        database: { url: databaseUrl },
        servers: [{ name: 'target', url: target.url, secret: secret.ref }],
      }),
    );
    env = { [secret.variable]: secret.value };
    // Commands that manage rows never change the schema: the operator migrates first.
    expect((await runCli(['migrate'], { cwd: dir, env })).code).toBe(0);
  });
  afterAll(() => target.stop());

  const cli = (...args: string[]) => runCli(args, { cwd: dir, env });
  const listed = async (...filters: string[]) =>
    (JSON.parse((await cli('tasks', 'list', '--json', ...filters)).stdout) as { objectGuid: string }[]).map(
      (t) => t.objectGuid,
    );
  const onTarget = async () =>
    (await target.storage.dataSource.getRepository(Category).find({ order: { code: 'ASC' } })).map(
      (c) => c.code,
    );

  it('filters by group and user, syncs and deletes only what matches, and syncs a whole server', async () => {
    expect(await listed('--group', 'spring_sale')).toEqual(['spring-1', 'spring-2']);
    expect(await listed('--user', 'alice')).toEqual(['spring-1', 'spring-2', 'plain-1']);
    // The underscore is a LIKE wildcard: it must not match another character.
    expect(await listed('--group', 'spring-sale')).toEqual([]);
    const mixed = await cli('tasks', 'list', '--group', 'spring_sale', '--connector', 'webhook');
    expect(mixed.code).toBe(2);

    const synced = await cli('tasks', 'sync', '--group', 'spring_sale');
    expect(synced.code).toBe(0);
    expect(synced.stdout).toMatch(/target: sent 2, applied 2/);
    expect(await onTarget()).toEqual(['spring-1', 'spring-2']);
    expect(await listed()).toEqual(['bob-1', 'plain-1']);

    const deleted = await cli('tasks', 'delete', '--user', 'bob');
    expect(deleted.stdout).toMatch(/deleted 1/);
    expect(await listed()).toEqual(['plain-1']);
    expect((await cli('tasks', 'delete')).code).toBe(2);

    // Complete synchronization: every category is logged for the target again and delivered, bob-1 included.
    const all = await cli('servers', 'sync-all', 'target', '--object-type', 'cms.category');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      /target: logged 4 task\(s\) \(cms\.category 4\); sent \d+, applied \d+, failed 0, still pending 0/,
    );
    expect(await onTarget()).toEqual(['bob-1', 'plain-1', 'spring-1', 'spring-2']);
    expect(await listed()).toEqual([]);
    const unknownType = await cli('servers', 'sync-all', 'target', '--object-type', 'cms.page');
    expect(unknownType.code).toBe(2);
    expect(unknownType.stderr).toMatch(/cms\.page/);
  });
});
