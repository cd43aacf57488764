// Logging tasks on the source: fan-out to enabled servers, Kentico's collapsing, exclusions, events, task groups,
// the logging API, and complete synchronization. Runs on SQLite and on PostgreSQL.
import { EventCancelledError, ObjectChanges, runInChangeScope } from '@syncbus/core';
import {
  ServerInfoProvider,
  StagingEvents,
  StagingSynchronizer,
  StagingTask,
  StagingTaskRunner,
  StagingValidationError,
  SynchronizationInfoProvider,
  runInTaskGroup,
  type StagingTaskEventArgs,
} from '@syncbus/staging';
import { StagingQueue } from '@syncbus/staging/internal';
import { Client } from 'pg';
import { Article, Category } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import {
  bootStagingNode,
  createTestSecret,
  eventually,
  resetPostgresSchema,
  startStagingPair,
  type StagingNode,
} from '../support/staging-nodes';

type Engine = 'sqlite' | 'postgres';

describeEachEngine<Engine>(['sqlite', 'postgres'])('staging task logging (%s)', (engine) => {
  let database: TestDatabase | undefined;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await requireTestDatabase('staging_logging');
    }
  });
  afterAll(() => database?.drop());
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  /** A node with servers `target` and `qa` (enabled) and `prod` (disabled); nothing listens at their URLs. */
  const boot = async (staging?: Record<string, unknown>): Promise<StagingNode> => {
    if (database) await resetPostgresSchema(database.url);
    const secret = createTestSecret();
    const node = await bootStagingNode({
      name: 'source',
      databaseUrl: database?.url,
      http: false,
      staging,
      servers: [
        { name: 'target', url: 'http://127.0.0.1:9', secret },
        { name: 'qa', url: 'http://127.0.0.1:9', secret },
        { name: 'prod', url: 'http://127.0.0.1:9', secret, enabled: false },
      ],
    });
    stops.push(node.stop);
    return node;
  };
  const tasksOf = (node: StagingNode) =>
    node.storage.dataSource.getRepository(StagingTask).find({ order: { id: 'ASC' } });
  const rowsOf = async (node: StagingNode) => {
    const servers = new Map(
      (await node.kernel.get(ServerInfoProvider).getServers()).map((s) => [s.id, s.name] as const),
    );
    return (await node.kernel.get(SynchronizationInfoProvider).getSynchronizations()).map(
      (r) => `${r.taskId}:${servers.get(r.serverId)}`,
    );
  };
  const categories = (node: StagingNode) => node.storage.dataSource.getRepository(Category);

  it('fans out one row per enabled server, in the change transaction; disabling and enabling take effect', async () => {
    const node = await boot();
    const news = await categories(node).save({ code: 'news', name: 'News' });
    let [task] = await tasksOf(node);
    expect(task).toMatchObject({
      taskType: 'create',
      objectType: 'cms.category',
      objectGuid: 'news',
      objectId: String(news.id),
      title: 'News',
      data: { code: 'news', name: 'News' },
      origin: [],
      users: [],
      groups: [],
    });
    expect(await rowsOf(node)).toEqual([`${task.id}:target`, `${task.id}:qa`]);

    await node.kernel.get(ServerInfoProvider).disableServer('qa');
    await node.kernel.get(ServerInfoProvider).enableServer('prod');
    await categories(node).save({ code: 'tech', name: 'Tech' });
    task = (await tasksOf(node))[1];
    expect(await rowsOf(node)).toContain(`${task.id}:target`);
    expect((await rowsOf(node)).filter((r) => r.startsWith(`${task.id}:`)).sort()).toEqual([
      `${task.id}:prod`,
      `${task.id}:target`,
    ]);

    // A rolled-back change leaves no task behind.
    await expect(
      node.storage.transaction(async (manager) => {
        await manager.save(Category, { code: 'gone', name: 'Gone' });
        throw new Error('host rolls back');
      }),
    ).rejects.toThrow('host rolls back');
    expect(await tasksOf(node)).toHaveLength(2);
  });

  it('collapses: a newer update replaces older pending updates, a delete replaces creates and updates; users and groups carry over', async () => {
    const node = await boot();
    const repo = categories(node);
    const category = await runInChangeScope({ user: 'alice' }, () => repo.save({ code: 'c', name: 'v0' }));
    for (const [user, name] of [
      ['alice', 'v1'],
      ['bob', 'v2'],
      ['carol', 'v3'],
    ]) {
      category.name = name;
      await runInChangeScope({ user }, () => runInTaskGroup(`group-${user}`, () => repo.save(category)));
    }
    let tasks = await tasksOf(node);
    expect(tasks.map((t) => [t.taskType, t.data.name, t.users, t.groups])).toEqual([
      ['create', 'v0', ['alice'], []],
      ['update', 'v3', ['alice', 'bob', 'carol'], ['group-alice', 'group-bob', 'group-carol']],
    ]);
    expect(await rowsOf(node)).toEqual([
      `${tasks[0].id}:target`,
      `${tasks[0].id}:qa`,
      `${tasks[1].id}:target`,
      `${tasks[1].id}:qa`,
    ]);

    await runInChangeScope({ user: 'dave' }, () => repo.remove(category));
    tasks = await tasksOf(node);
    expect(tasks.map((t) => [t.taskType, t.objectGuid, t.users])).toEqual([
      ['delete', 'c', ['alice', 'bob', 'carol', 'dave']],
    ]);
    expect(await rowsOf(node)).toEqual([`${tasks[0].id}:target`, `${tasks[0].id}:qa`]);
  });

  it('a replacing update keeps what the partial update it replaces changed (a relation it did not load)', async () => {
    const node = await boot();
    const news = await categories(node).save({ code: 'news', name: 'News' });
    const tech = await categories(node).save({ code: 'tech', name: 'Tech' });
    const articles = node.storage.dataSource.getRepository(Article);
    const article = await articles.save({ guid: 'a-1', title: 't0', body: 'b0', categoryId: news.id });
    article.title = 't1';
    article.categoryId = tech.id;
    await articles.save(article);
    // A change of only some properties (a host logging it itself): its snapshot has no category or body, and it
    // replaces the pending update above.
    await node.kernel
      .get(ObjectChanges)
      .logObjectChange({ guid: 'a-1', title: 't2' }, 'update', { objectType: 'cms.article' });
    const updates = (await tasksOf(node)).filter(
      (t) => t.objectType === 'cms.article' && t.taskType === 'update',
    );
    expect(updates).toHaveLength(1);
    expect(updates[0].data).toEqual({
      guid: 'a-1',
      title: 't2',
      views: 0,
      body: 'b0',
      category: { $ref: { type: 'cms.category', identity: 'tech' } },
    });
  });

  it('never collapses a task that is being sent (its row is leased), only the rows of other servers', async () => {
    const node = await boot();
    const repo = categories(node);
    const category = await repo.save({ code: 'c', name: 'v0' });
    category.name = 'v1';
    await repo.save(category);
    const [, update] = await tasksOf(node);
    const targetId = (await node.kernel.get(ServerInfoProvider).getServer('target'))!.id;
    const queue = node.kernel.get<StagingQueue>(StagingQueue);
    const claimed = await queue.claim({ targetId, owner: 'sender', limit: 10, leaseMs: 60_000 });
    expect(claimed.map((r) => r.taskId)).toEqual([update.id - 1, update.id]);

    category.name = 'v2';
    await repo.save(category);
    const tasks = await tasksOf(node);
    expect(tasks.map((t) => [t.taskType, t.data.name])).toEqual([
      ['create', 'v0'],
      ['update', 'v1'],
      ['update', 'v2'],
    ]);
    expect((await rowsOf(node)).filter((r) => !r.startsWith(`${tasks[0].id}:`))).toEqual([
      `${tasks[1].id}:target`,
      `${tasks[2].id}:target`,
      `${tasks[2].id}:qa`,
    ]);
  });

  // On PostgreSQL another node claims without the logger's lock: a claim that leases a row while the collapse runs
  // must keep it (deleting it would let the newer task overtake the older one in flight).
  const onPostgres = engine === 'postgres' ? it : it.skip;
  onPostgres('a row leased while the collapse is deciding stays with its claimer', async () => {
    const node = await boot();
    const repo = categories(node);
    const category = await repo.save({ code: 'c', name: 'v0' });
    category.name = 'v1';
    await repo.save(category);
    const [, update] = await tasksOf(node);
    const targetId = (await node.kernel.get(ServerInfoProvider).getServer('target'))!.id;
    // A claimer on its own connection has locked the update's row (claim's FOR UPDATE), its lease not yet written.
    const claimer = new Client({ connectionString: database!.url });
    await claimer.connect();
    try {
      await claimer.query('BEGIN');
      const locked = await claimer.query(
        'SELECT id FROM staging_synchronization WHERE task_id = $1 AND server_id = $2 FOR UPDATE',
        [update.id, targetId],
      );
      category.name = 'v2';
      const saving = repo.save(category);
      await eventually(
        async () =>
          Number(
            (
              await node.storage.dataSource.query(
                `SELECT COUNT(*) AS n FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              )
            )[0].n,
          ) > 0,
        'the collapse to wait for the claimed row',
      );
      await claimer.query(
        'UPDATE staging_synchronization SET lease_owner = $1, lease_expires_at = $2 WHERE id = $3',
        ['claimer', Date.now() + 60_000, locked.rows[0].id],
      );
      await claimer.query('COMMIT');
      await saving;
    } finally {
      await claimer.end();
    }
    const tasks = await tasksOf(node);
    expect(tasks.map((t) => [t.taskType, t.data.name])).toEqual([
      ['create', 'v0'],
      ['update', 'v1'],
      ['update', 'v2'],
    ]);
    // The leased row for target stays (and holds v2 back behind it); qa's pending row was collapsed.
    expect((await rowsOf(node)).filter((r) => !r.startsWith(`${tasks[0].id}:`))).toEqual([
      `${tasks[1].id}:target`,
      `${tasks[2].id}:target`,
      `${tasks[2].id}:qa`,
    ]);
    const queue = node.kernel.get<StagingQueue>(StagingQueue);
    const claimable = await queue.claim({ targetId, owner: 'other', limit: 10, leaseMs: 60_000 });
    expect(claimable.map((r) => r.taskId)).toEqual([tasks[0].id]);
  });

  it('excludes object types by config and by a before-handler; a cancelling handler aborts the change', async () => {
    const node = await boot({ excludedObjectTypes: ['cms.article'] });
    await node.storage.dataSource.getRepository(Article).save({ guid: 'a-1', title: 'Not staged' });
    expect(await tasksOf(node)).toEqual([]);

    const events = node.kernel.get(StagingEvents);
    events.logTask.before.add((args) => {
      if (args.task.objectGuid.startsWith('local-')) args.excluded = true;
      if (args.task.objectGuid.startsWith('secret-'))
        throw new Error('secret categories must not be created');
    });
    await categories(node).save({ code: 'local-1', name: 'Stays here' });
    expect(await categories(node).countBy({ code: 'local-1' })).toBe(1);
    expect(await tasksOf(node)).toEqual([]);

    await expect(categories(node).save({ code: 'secret-1', name: 'No' })).rejects.toThrow(
      'secret categories must not be created',
    );
    events.logTask.before.add((args, control) => {
      if (args.task.objectGuid === 'draft') control.cancel('drafts are not staged');
    });
    await expect(categories(node).save({ code: 'draft', name: 'Draft' })).rejects.toBeInstanceOf(
      EventCancelledError,
    );
    expect(await categories(node).count()).toBe(1);
    expect(await tasksOf(node)).toEqual([]);
  });

  it('logTask.before can amend the task; logTask.after fires once the task has committed, with its id', async () => {
    const node = await boot();
    const events = node.kernel.get(StagingEvents);
    events.logTask.before.add((args) => {
      args.task.title = `[staged] ${args.task.title}`;
    });
    const seen: StagingTaskEventArgs[] = [];
    let committedWhenSeen: number | undefined;
    events.logTask.after.subscribe(async (args) => {
      seen.push(args);
      committedWhenSeen = await node.storage.dataSource
        .getRepository(StagingTask)
        .countBy({ id: args.task.id });
    });
    await categories(node).save({ code: 'news', name: 'News' });
    await expect(
      node.storage.transaction(async (manager) => {
        await manager.save(Category, { code: 'rolled-back', name: 'No' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');

    const [task] = await tasksOf(node);
    expect(task.title).toBe('[staged] News');
    expect(seen).toHaveLength(1);
    expect(seen[0].task).toMatchObject({ id: task.id, guid: task.guid, title: '[staged] News' });
    expect(await eventually(() => committedWhenSeen, 'the after-subscriber to read the task')).toBe(1);
  });

  it('logs through the API for hosts without TypeORM, including host-defined task types (never collapsed)', async () => {
    const node = await boot();
    const changes = node.kernel.get(ObjectChanges);
    await changes.logObjectChange({ code: 'ext', name: 'External' }, 'create', {
      objectType: 'cms.category',
      user: 'api',
    });
    await changes.logObjectChange({ code: 'ext', name: 'External' }, 'publish', {
      objectType: 'cms.category',
    });
    await changes.logObjectChange({ code: 'ext', name: 'External' }, 'publish', {
      objectType: 'cms.category',
    });
    expect((await tasksOf(node)).map((t) => [t.taskType, t.users])).toEqual([
      ['create', ['api']],
      ['publish', []],
      ['publish', []],
    ]);
  });

  it('logs nothing when logChanges is off', async () => {
    const node = await boot({ logChanges: false });
    await categories(node).save({ code: 'news', name: 'News' });
    expect(await tasksOf(node)).toEqual([]);
  });

  it('complete synchronization logs an update of every object for one server, referenced types first, and it applies', async () => {
    if (database) await resetPostgresSchema(database.url);
    const pair = await startStagingPair({ sourceDatabaseUrl: database?.url });
    stops.push(pair.stop);
    const servers = pair.source.kernel.get(ServerInfoProvider);
    await servers.disableServer('target');
    const source = pair.source.storage.dataSource;
    const news = await source.getRepository(Category).save({ code: 'news', name: 'News' });
    await source.getRepository(Article).save({ guid: 'a-1', title: 'One', categoryId: news.id });
    await source.getRepository(Article).save({ guid: 'a-2', title: 'Two', categoryId: null });
    await source.getRepository(Category).save({ code: 'tech', name: 'Tech' });
    expect(await tasksOf(pair.source)).toEqual([]);

    await servers.enableServer('target');
    const synchronizer = pair.source.kernel.get(StagingSynchronizer);
    await expect(synchronizer.synchronizeAll('target', ['cms.page'])).rejects.toBeInstanceOf(
      StagingValidationError,
    );
    const summary = await synchronizer.synchronizeAll('target', ['cms.article', 'cms.category']);
    expect(summary).toEqual({ server: 'target', tasks: 4, byType: { 'cms.category': 2, 'cms.article': 2 } });
    expect((await tasksOf(pair.source)).map((t) => [t.taskType, t.objectGuid])).toEqual([
      ['update', 'news'],
      ['update', 'tech'],
      ['update', 'a-1'],
      ['update', 'a-2'],
    ]);

    const result = await new StagingTaskRunner(pair.server.id, pair.source.kernel).runSynchronization();
    expect(result).toMatchObject({ applied: 4, failed: 0 });
    const article = await pair.target.storage.dataSource
      .getRepository(Article)
      .findOneOrFail({ where: { guid: 'a-1' }, relations: { category: true } });
    expect(article.category?.code).toBe('news');
  });
});
