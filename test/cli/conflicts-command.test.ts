// `syncbus conflicts list|show|resolve` as an operator runs them on the target: a held conflict is listed, shown
// field by field, resolved by taking the source, and the source's next delivery then goes through.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerInfoProvider, StagingTaskRunner } from '@syncbus/staging';
import { Article, Category } from '../support/content-model';
import { runCli } from '../support/run-cli';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

describe('syncbus conflicts', () => {
  const nodes: StagingNode[] = [];
  afterAll(() => Promise.all(nodes.map((n) => n.stop())));

  it('lists, shows and resolves a held conflict; the source then delivers the task as a duplicate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncbus-conflicts-'));
    symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
    const targetUrl = `sqlite:${join(dir, 'target.sqlite')}`;
    const secret = createTestSecret();
    const staging = { receiver: { conflicts: { policy: 'hold' } } };
    let target = await bootStagingNode({
      name: 'target',
      databaseUrl: targetUrl,
      acceptFrom: [{ server: 'source', secret }],
      staging,
    });
    const source = await bootStagingNode({
      name: 'source',
      http: false,
      servers: [{ name: 'target', url: target.url!, secret }],
    });
    nodes.push(source);
    const servers = source.kernel.get(ServerInfoProvider);
    const serverId = (await servers.getServer('target'))!.id;
    const runner = () =>
      new StagingTaskRunner(serverId, { get: (id) => source.kernel.get(id) }).runSynchronization(undefined, {
        dueNow: true,
      });
    const news = await source.storage.dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
    const article = await source.storage.dataSource
      .getRepository(Article)
      .save({ guid: 'a-1', title: 'v1', body: 'b', views: 0, category: news });
    await runner();
    const onTarget = target.storage.dataSource.getRepository(Article);
    await onTarget.update({ guid: 'a-1' }, { title: 'fixed on production' });
    article.title = 'v2';
    await source.storage.dataSource.getRepository(Article).save(article);
    expect(await runner()).toMatchObject({ conflicts: 1 });
    // The operator works on the target's database with the CLI while the node is down.
    await target.stop();

    const config = join(dir, 'syncbus.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        nodeName: 'target',
        database: { url: targetUrl },
        plugins: ['@syncbus/sample-content-model'],
        staging,
      }),
    );
    const cli = (...args: string[]) => runCli(['-c', config, ...args], { cwd: dir });

    // The CLI's node has the integration module too; its tables come with `migrate`, as on any new node.
    expect((await cli('migrate')).code).toBe(0);
    const listed = await cli('conflicts', 'list', '--json');
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    const [conflict] = JSON.parse(listed.stdout) as { id: number; outcome: string; kind: string }[];
    expect(conflict).toMatchObject({
      outcome: 'held',
      kind: 'changed',
      objectGuid: 'a-1',
      sourceServer: 'source',
    });

    const shown = await cli('conflicts', 'show', String(conflict.id));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/title\s+"v1"\s+"v2"\s+"fixed on production"/);
    const shownJson = JSON.parse((await cli('conflicts', 'show', String(conflict.id), '--json')).stdout);
    expect(shownJson.fields).toEqual([
      { field: 'title', base: 'v1', source: 'v2', target: 'fixed on production' },
    ]);

    const wrong = await cli('conflicts', 'resolve', String(conflict.id), '--take', 'both');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/use source, target or merged/);
    const missing = await cli('conflicts', 'resolve', '999', '--take', 'source');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/No conflict 999 exists on this node/);

    const resolved = await cli(
      'conflicts',
      'resolve',
      String(conflict.id),
      '--take',
      'source',
      '--user',
      'ops',
    );
    expect({ code: resolved.code, stderr: resolved.stderr }).toEqual({ code: 0, stderr: '' });
    expect(resolved.stdout).toMatch(`conflict ${conflict.id} resolved: took-source (cms.article:a-1)`);
    expect((await cli('conflicts', 'list')).stdout).toMatch(/No conflicts wait for a person/);
    expect((await cli('conflicts', 'list', '--all', '--json')).stdout).toMatch(/"resolvedBy": "ops"/);

    target = await bootStagingNode({
      name: 'target',
      databaseUrl: targetUrl,
      acceptFrom: [{ server: 'source', secret }],
      staging,
    });
    nodes.push(target);
    await servers.editServer('target', { url: target.url! });
    expect(await runner()).toMatchObject({ duplicates: 1, conflicts: 0 });
    expect(
      await target.storage.dataSource.getRepository(Article).findOneByOrFail({ guid: 'a-1' }),
    ).toMatchObject({
      title: 'v2',
    });
  });
});
