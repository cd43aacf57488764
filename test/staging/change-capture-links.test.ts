// Many-to-many links between synchronized objects: linking, unlinking and cascaded creates reach the target as the
// owner's list of references, on SQLite and PostgreSQL.
import { StagingTaskRunner, SynchronizationInfoProvider } from '@syncbus/staging';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { resetPostgresSchema, startStagingPair, type StagingPair } from '../support/staging-nodes';
import { Post, Tag, taggedModel } from '../support/tagged-model';

describeEachEngine(['sqlite', 'postgres'] as const)('many-to-many links (%s)', (engine) => {
  let database: TestDatabase | undefined;
  let pair: StagingPair | undefined;

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await requireTestDatabase('capture_links');
    }
  });
  afterAll(() => database?.drop());
  afterEach(async () => {
    await pair?.stop();
    pair = undefined;
  });

  const start = async () => {
    if (database) await resetPostgresSchema(database.url);
    pair = await startStagingPair({ sourceDatabaseUrl: database?.url, model: taggedModel });
    return pair;
  };

  /** Delivers everything pending to the target, over HTTP. */
  const deliver = async (p: StagingPair) => {
    const run = await new StagingTaskRunner(p.server.id, {
      get: (id) => p.source.kernel.get(id),
    }).runSynchronization();
    expect(run.failed).toBe(0);
    const left = await p.source.kernel
      .get(SynchronizationInfoProvider)
      .getSynchronizations({ serverId: p.server.id });
    expect(left).toEqual([]);
  };

  /** Each post's slug with its tag codes, as a node stores them. */
  const links = async (node: StagingPair['source']) => {
    const posts = await node.storage.dataSource.getRepository(Post).find({ relations: { tags: true } });
    return Object.fromEntries(
      posts.map((post) => [post.slug, (post.tags ?? []).map((t) => t.code).sort()] as const).sort(),
    );
  };

  it('links, unlinks and cascaded tag creates arrive as the same links on the target', async () => {
    const p = await start();
    const posts = p.source.storage.dataSource.getRepository(Post);
    const tags = p.source.storage.dataSource.getRepository(Tag);
    const [news, tech] = await tags.save([{ code: 'news' }, { code: 'tech' }]);
    // A create with links, one of them a tag created by the same save (cascade).
    const post = await posts.save({ slug: 'p-1', title: 'One', tags: [news, { code: 'fresh' } as Tag] });
    await posts.save({ slug: 'p-2', title: 'Two' });
    await deliver(p);
    expect(await links(p.target)).toEqual({ 'p-1': ['fresh', 'news'], 'p-2': [] });

    // Only the links change: no column of the post does.
    post.tags = [tech];
    await posts.save(post);
    await deliver(p);
    expect(await links(p.target)).toEqual({ 'p-1': ['tech'], 'p-2': [] });

    // Linked and unlinked through the relation query builder, outside and inside a transaction.
    const relation = () => p.source.storage.dataSource.createQueryBuilder().relation(Post, 'tags');
    await relation().of(post.id).add(news.id);
    await deliver(p);
    expect(await links(p.target)).toEqual({ 'p-1': ['news', 'tech'], 'p-2': [] });
    await p.source.storage.dataSource.transaction(async (manager) => {
      await manager.createQueryBuilder().relation(Post, 'tags').of(post.id).remove(tech.id);
      await manager.update(Post, { slug: 'p-1' }, { title: 'One, retitled' });
    });
    await deliver(p);
    expect(await links(p.target)).toEqual({ 'p-1': ['news'], 'p-2': [] });
    await relation().of(post.id).add(tech.id);
    await deliver(p);
    expect(await links(p.source)).toEqual(await links(p.target));

    // A deleted tag leaves the links on both sides through the join table's ON DELETE CASCADE.
    await tags.delete({ code: 'tech' });
    await deliver(p);
    expect(await links(p.target)).toEqual({ 'p-1': ['news'], 'p-2': [] });
    expect(
      await p.target.storage.dataSource.getRepository(Post).findOneByOrFail({ slug: 'p-1' }),
    ).toMatchObject({
      title: 'One, retitled',
    });
  });
});
