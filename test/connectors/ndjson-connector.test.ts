// The template connector, installed as its own workspace package and loaded purely by its name from the config:
// tasks become lines in order, references leave as external ids, a folder it cannot write to holds tasks (with
// the reason) until check() passes.
import { mkdirSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '@syncbus/core';
import { IntegrationHelper, IntegrationModule, IntegrationSynchronizations } from '@syncbus/integration';
import { Article, Category } from '../support/content-model';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootConnectorNode, until, type ConnectorNode } from './connector-node';

const PACKAGE = '@syncbus/connector-ndjson';
const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, any>)
    : [];

describe('@syncbus/connector-ndjson (the template)', () => {
  let node: ConnectorNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  it('is found by package name: the manifest names the entry, the entry registers the connector', () => {
    const checked = Kernel.check({
      config: { plugins: [PACKAGE], connectors: [{ name: 'ndjson', config: { path: 'x.ndjson' } }] },
      modules: [IntegrationModule],
    });
    expect(checked.plugins.map((p) => [p.packageName, p.version])).toEqual([[PACKAGE, '0.1.0']]);
    expect(checked.plugins[0].classes.map((c) => c.name)).toEqual(['NdjsonConnector']);
  });

  it('appends each task as one line, in order per object, with references as external ids', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'syncbus-ndjson-')), 'tasks.ndjson');
    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('ndjson'),
      plugins: [PACKAGE],
      connectors: [{ name: 'ndjson', config: { path: file } }],
    });
    const { dataSource } = node.storage;
    const news = await dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
    const article = await dataSource
      .getRepository(Article)
      .save({ guid: 'a-1', title: 'v1', category: news });
    for (const title of ['v2', 'v3']) {
      article.title = title;
      await dataSource.getRepository(Article).save(article);
    }
    await dataSource.getRepository(Article).remove(article);

    const written = await until(() => {
      const all = lines(file);
      return all.length === 5 ? all : undefined;
    }, 'five lines');
    expect(written.map((l) => `${l.objectType} ${l.objectGuid} ${l.taskType} ${l.title}`)).toEqual([
      'cms.category news create News',
      'cms.article a-1 create v1',
      'cms.article a-1 update v2',
      'cms.article a-1 update v3',
      'cms.article a-1 delete v3',
    ]);
    expect(written[1].data).toMatchObject({ guid: 'a-1', title: 'v1', category: 'news' });
    expect(new Set(written.map((l) => l.guid)).size).toBe(5);
    // The lines are written before the batch settles; the rows go once the settle commits.
    const synchronizations = node.kernel.get(IntegrationSynchronizations);
    await until(
      async () => (await synchronizations.list('ndjson')).length === 0,
      'the synchronizations settled',
    );
    expect(node.kernel.get(IntegrationHelper).getConnector('ndjson')!.displayName).toBe('NDJSON file');
  });

  it('holds tasks with the reason while the folder is missing, and writes them once check() passes', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'syncbus-ndjson-')), 'not-yet');
    const file = join(folder, 'tasks.ndjson');
    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('ndjson'),
      plugins: [PACKAGE],
      connectors: [{ name: 'ndjson', config: { path: file, objectTypes: ['cms.article'] } }],
    });
    await node.storage.dataSource.getRepository(Article).save({ guid: 'a-2', title: 'waiting' });
    const waiting = await until(async () => {
      const rows = await node!.kernel.get(IntegrationSynchronizations).list('ndjson');
      return rows[0]?.lastError ? rows : undefined;
    }, 'the task to carry the reason it waits');
    expect(waiting[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(waiting[0].lastError).toContain(`cannot write to ${folder} (ENOENT)`);

    mkdirSync(folder);
    const written = await until(() => lines(file)[0], 'the line once the folder exists');
    expect(written).toMatchObject({ objectGuid: 'a-2', taskType: 'create', title: 'waiting' });
  });

  it('refuses a config without a path, naming the field', async () => {
    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('ndjson'),
      plugins: [PACKAGE],
      connectors: [{ name: 'ndjson', config: { objectTypes: [] } }],
    });
    await node.storage.dataSource.getRepository(Article).save({ guid: 'a-3', title: 'held' });
    const rows = await until(async () => {
      const list = await node!.kernel.get(IntegrationSynchronizations).list('ndjson');
      return list[0]?.lastError ? list : undefined;
    }, 'the config problem on the waiting task');
    expect(rows[0].lastError).toContain('connectors.0.config.path');
    expect(rows[0].lastError).toContain('connectors.0.config.objectTypes');
  });
});
