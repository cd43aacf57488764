// Two nodes over real HTTP on loopback: tasks logged on the source apply on the target in order, once, with
// references translated; a target that is down or refusing keeps them pending. Runs with the source on SQLite
// and on PostgreSQL.
import { StagingTaskRunner, SynchronizationInfoProvider } from '@syncbus/staging';
import { Article, Category } from '../support/content-model';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { startStagingPair, type StagingPair } from '../support/staging-nodes';

type Engine = 'sqlite' | 'postgres';

describe.each<Engine>(['sqlite', 'postgres'])('staging delivery (source on %s)', (engine) => {
  let database: TestDatabase | undefined;
  let pair: StagingPair;
  let skip = false;

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await createTestDatabase('staging_delivery');
      skip = !database;
    }
  });
  afterAll(() => database?.drop());

  beforeEach(async () => {
    if (skip) return;
    // A fresh schema per test on PostgreSQL: drop what the previous test's node created.
    if (database) await resetPostgres(database.url);
    pair = await startStagingPair({ sourceDatabaseUrl: database?.url });
  });
  afterEach(() => (skip ? undefined : pair.stop()));

  const sourceRepo = <T extends object>(entity: new () => T) =>
    pair.source.storage.dataSource.getRepository<T>(entity);
  const targetRepo = <T extends object>(entity: new () => T) =>
    pair.target.storage.dataSource.getRepository<T>(entity);
  const runner = () => new StagingTaskRunner(pair.server.id, { get: (id) => pair.source.kernel.get(id) });
  const pendingRows = () =>
    pair.source.kernel.get(SynchronizationInfoProvider).getSynchronizations({ serverId: pair.server.id });

  it('creates, updates and deletes of related types apply on the target with references translated', async () => {
    if (skip) return;
    // Local ids differ between the nodes: the target has a category of its own first.
    await targetRepo(Category).save({ code: 'local', name: 'Target only' });
    const news = await sourceRepo(Category).save({ code: 'news', name: 'News' });
    const tech = await sourceRepo(Category).save({ code: 'tech', name: 'Tech' });
    await sourceRepo(Article).save({ guid: 'a-1', title: 'Hello', body: 'first', categoryId: news.id });
    await sourceRepo(Article).save({ guid: 'a-2', title: 'Second', categoryId: tech.id });

    const first = await runner().runSynchronization();
    expect(first).toEqual({
      serverId: pair.server.id,
      server: 'target',
      sent: 4,
      applied: 4,
      duplicates: 0,
      failed: 0,
      heldBack: 0,
    });
    const applied = await targetRepo(Article).findOneOrFail({
      where: { guid: 'a-1' },
      relations: { category: true },
    });
    expect(applied).toMatchObject({
      title: 'Hello',
      body: 'first',
      category: { code: 'news', name: 'News' },
    });
    expect(applied.categoryId).not.toBe(news.id);

    const article = await sourceRepo(Article).findOneByOrFail({ guid: 'a-1' });
    article.title = 'Hello again';
    article.categoryId = tech.id;
    await sourceRepo(Article).save(article);
    await sourceRepo(Article).remove(await sourceRepo(Article).findOneByOrFail({ guid: 'a-2' }));
    expect(await runner().runSynchronization()).toMatchObject({ sent: 2, applied: 2 });

    const updated = await targetRepo(Article).findOneOrFail({
      where: { guid: 'a-1' },
      relations: { category: true },
    });
    expect(updated).toMatchObject({ title: 'Hello again', category: { code: 'tech' } });
    expect(await targetRepo(Article).findOneBy({ guid: 'a-2' })).toBeNull();
    expect((await targetRepo(Category).find({ order: { id: 'ASC' } })).map((c) => c.code)).toEqual([
      'local',
      'news',
      'tech',
    ]);
    expect(await pendingRows()).toEqual([]);
    expect(await pair.source.storage.dataSource.query('SELECT id FROM staging_task')).toEqual([]);
  });
});

async function resetPostgres(url: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.end();
  }
}
