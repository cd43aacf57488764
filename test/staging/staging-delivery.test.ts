// Two nodes over real HTTP on loopback: tasks logged on the source apply on the target in order, once, with
// references translated; a target that is down or refusing keeps them pending. Runs with the source on SQLite
// and on PostgreSQL.
import { Kernel, createLogger } from '@syncbus/core';
import { SyncbusHttpServer } from '@syncbus/server';
import {
  ServerInfoProvider,
  StagingEvents,
  StagingModule,
  StagingTask,
  StagingTaskRunner,
  SynchronizationInfoProvider,
} from '@syncbus/staging';
import { ServerSecrets, StagingQueue, StagingTransport } from '@syncbus/staging/internal';
import { Article, Category, contentModel } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import {
  bootStagingNode,
  createTestSecret,
  eventually,
  resetPostgresSchema,
  startStagingPair,
  type StagingPair,
} from '../support/staging-nodes';

type Engine = 'sqlite' | 'postgres';

describeEachEngine<Engine>(['sqlite', 'postgres'])('staging delivery (source on %s)', (engine) => {
  let database: TestDatabase | undefined;
  let pair: StagingPair;

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await requireTestDatabase('staging_delivery');
    }
  });
  afterAll(() => database?.drop());

  let started = false;
  const start = async (sourceStaging?: Record<string, unknown>, targetStaging?: Record<string, unknown>) => {
    // A fresh schema per test on PostgreSQL: drop what the previous test's node created.
    if (database) await resetPostgresSchema(database.url);
    pair = await startStagingPair({ sourceDatabaseUrl: database?.url, sourceStaging, targetStaging });
    started = true;
  };
  beforeEach(async () => {
    started = false;
  });
  afterEach(() => (started ? pair.stop() : undefined));

  const sourceRepo = <T extends object>(entity: new () => T) =>
    pair.source.storage.dataSource.getRepository<T>(entity);
  const targetRepo = <T extends object>(entity: new () => T) =>
    pair.target.storage.dataSource.getRepository<T>(entity);
  const runner = () => new StagingTaskRunner(pair.server.id, { get: (id) => pair.source.kernel.get(id) });
  const pendingRows = () =>
    pair.source.kernel.get(SynchronizationInfoProvider).getSynchronizations({ serverId: pair.server.id });

  it('creates, updates and deletes of related types apply on the target with references translated', async () => {
    await start();
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
      skipped: 0,
      conflicts: 0,
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

  it('a target that is down keeps the tasks pending with the error; a later run delivers them in order', async () => {
    // One attempt allowed: were an outage counted as an attempt, the first run would turn every task failed.
    await start({ retry: { maxAttempts: 1, baseDelayMs: 50, maxDelayMs: 50 } });
    const http = pair.target.kernel.get(SyncbusHttpServer);
    const port = Number(new URL(http.url).port);
    await http.stop();
    const first = await sourceRepo(Category).save({ code: 'first', name: 'First' });
    first.name = 'First, renamed';
    await sourceRepo(Category).save(first);
    await sourceRepo(Category).save({ code: 'second', name: 'Second' });

    const before = Date.now();
    const down = await runner().runSynchronization();
    expect(down).toMatchObject({ sent: 0, applied: 0, failed: 3 });
    expect(down.error).toMatch(
      /Staging server 'target' at http:\/\/127\.0\.0\.1:\d+\/syncbus\/staging\/v1\/tasks could not be reached \(ECONNREFUSED\)/,
    );
    const rows = await pendingRows();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'pending', attempts: 0, leaseOwner: null, lastError: down.error });
      expect(row.lastRunAt).toBeGreaterThanOrEqual(before);
      expect(row.nextAttemptAt).toBeGreaterThanOrEqual(before + 25);
    }
    // The rows of a failed batch come due together (in logged order) after the server's outage backoff.
    expect(new Set(rows.map((r) => r.nextAttemptAt)).size).toBe(1);
    // A second run against the target still down, once the backoff has passed: still no attempt counted.
    await eventually(
      async () => (await runner().runSynchronization()).failed === 3,
      'a second run against the target that is down',
    );
    expect((await pendingRows()).map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);

    await http.start({ port });
    // Backoff is 25-50 ms here: run until it has passed and everything arrived.
    await eventually(async () => {
      await runner().runSynchronization();
      return (await pendingRows()).length === 0;
    }, 'the pending tasks to be delivered');
    const categories = await targetRepo(Category).find({ order: { id: 'ASC' } });
    expect(categories.map((c) => [c.code, c.name])).toEqual([
      ['first', 'First, renamed'],
      ['second', 'Second'],
    ]);
  });

  it('when a batch gets through after an outage, the backlog the outage postponed goes at once', async () => {
    // The outage backoff is a minute here (retry.baseDelayMs 60 s): the backlog must not wait it out.
    await start();
    const http = pair.target.kernel.get(SyncbusHttpServer);
    const port = Number(new URL(http.url).port);
    await http.stop();
    await sourceRepo(Category).save({ code: 'first', name: 'First' });
    await sourceRepo(Category).save({ code: 'second', name: 'Second' });
    expect(await runner().runSynchronization()).toMatchObject({ sent: 0, failed: 2 });
    expect((await pendingRows()).every((r) => r.nextAttemptAt > Date.now() + 30_000)).toBe(true);

    await http.start({ port });
    await sourceRepo(Category).save({ code: 'third', name: 'Third' });
    expect(await runner().runSynchronization()).toMatchObject({ applied: 3, failed: 0 });
    expect(await pendingRows()).toEqual([]);
    const categories = await targetRepo(Category).find({ order: { code: 'ASC' } });
    expect(categories.map((c) => c.code)).toEqual(['first', 'second', 'third']);
  });

  it('a lane whose claim lands after another lane found the target down sends nothing more in that run', async () => {
    await start({ batchSize: 1, maxInFlight: 2, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await pair.target.kernel.get(SyncbusHttpServer).stop();
    for (const code of ['one', 'two', 'three']) await sourceRepo(Category).save({ code, name: code });
    // The second lane's claim is held until the first lane's batch has failed and its outage backoff (1 ms) has
    // passed, as a slow database connection can do: its rows are due again by then.
    const queue = pair.source.kernel.get<StagingQueue>(StagingQueue);
    const claim = queue.claimBatch.bind(queue);
    let claims = 0;
    queue.claimBatch = async (options) => {
      if (++claims === 2)
        await eventually(
          async () => (await pendingRows()).some((r) => r.lastError && r.nextAttemptAt! <= Date.now()),
          'the first lane to record the outage',
        );
      return claim(options);
    };
    const run = await runner().runSynchronization();
    // One batch of one task failed; the late lane put back what it claimed instead of failing it again.
    expect(run).toMatchObject({ sent: 0, failed: 1 });
    expect((await pendingRows()).map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);
  });

  it('a task delivered twice applies once: the redelivery is answered duplicate and changes nothing', async () => {
    await start();
    await sourceRepo(Category).save({ code: 'news', name: 'News' });
    const task = await sourceRepo(StagingTask).findOneByOrFail({ objectGuid: 'news' });
    const { id: _id, ...wire } = task;
    const transport = pair.source.kernel.get(StagingTransport);
    const secret = pair.source.kernel.get(ServerSecrets).resolve('target', pair.server.secretRef);
    // A first delivery whose reply the source never recorded (say, it crashed before recording it).
    expect((await transport.send(pair.server, secret, [wire])).results).toEqual([
      { guid: task.guid, status: 'applied' },
    ]);
    await targetRepo(Category).update({ code: 'news' }, { name: 'Edited on the target' });

    expect(await runner().runSynchronization()).toMatchObject({
      sent: 1,
      applied: 0,
      duplicates: 1,
      failed: 0,
    });
    expect(await targetRepo(Category).find()).toMatchObject([{ code: 'news', name: 'Edited on the target' }]);
    expect(await pendingRows()).toEqual([]);
    const ledger = await pair.target.storage.dataSource.query(
      'SELECT source_server, task_guid FROM staging_received_task',
    );
    expect(ledger).toEqual([{ source_server: 'source', task_guid: task.guid }]);
  });

  it('a failing object holds back only its own later tasks, for its attempts, until a retry', async () => {
    await start({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    let refuse = true;
    pair.target.kernel.get(StagingEvents).processTask.before.add(({ task }) => {
      if (refuse && task.objectGuid === 'bad') throw new Error('the target refuses bad');
    });
    const bad = await sourceRepo(Category).save({ code: 'bad', name: 'Bad' });
    await sourceRepo(Category).save({ code: 'good', name: 'Good' });
    bad.name = 'Bad, fixed';
    await sourceRepo(Category).save(bad);
    await sourceRepo(Category).save({ code: 'later', name: 'Later' });

    expect(await runner().runSynchronization()).toMatchObject({
      sent: 4,
      applied: 2,
      failed: 1,
      heldBack: 1,
    });
    expect((await targetRepo(Category).find({ order: { id: 'ASC' } })).map((c) => c.code)).toEqual([
      'good',
      'later',
    ]);
    let rows = await pendingRows();
    expect(rows.map((r) => [r.objectKey, r.status, r.attempts])).toEqual([
      ['cms.category:bad', 'pending', 1],
      ['cms.category:bad', 'pending', 0],
    ]);
    expect(rows[0].lastError).toBe(
      "Staging server 'target' could not apply the task: EVENT_CANCELLED: the target refuses bad",
    );
    expect(rows[1].lastError).toBeNull();

    // The second attempt (after a 1 ms backoff) is the last: the row is marked failed and waits for a person.
    await eventually(async () => {
      await runner().runSynchronization();
      return (await pendingRows())[0].status === 'failed';
    }, 'the second attempt');
    rows = await pendingRows();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['failed', 2],
      ['pending', 0],
    ]);
    expect(await runner().runSynchronization()).toMatchObject({ sent: 0 });

    refuse = false;
    expect(await pair.source.kernel.get<StagingQueue>(StagingQueue).retry([rows[0].id])).toBe(1);
    expect(await runner().runSynchronization()).toMatchObject({ sent: 2, applied: 2, failed: 0 });
    expect(await targetRepo(Category).findOneByOrFail({ code: 'bad' })).toMatchObject({ name: 'Bad, fixed' });
    expect(await pendingRows()).toEqual([]);
  });

  it('a failing object is held back for the server that refuses it only; another server gets it', async () => {
    await start();
    const mirrorSecret = createTestSecret();
    const mirror = await bootStagingNode({
      name: 'mirror',
      acceptFrom: [{ server: 'source', secret: mirrorSecret }],
    });
    try {
      await pair.source.kernel
        .get(ServerInfoProvider)
        .addServer({ name: 'mirror', url: mirror.url!, secret: mirrorSecret.ref });
      const mirrorId = (await pair.source.kernel.get(ServerInfoProvider).getServer('mirror'))!.id;
      pair.target.kernel.get(StagingEvents).processTask.before.add(({ task }) => {
        if (task.objectGuid === 'bad') throw new Error('the target refuses bad');
      });
      const bad = await sourceRepo(Category).save({ code: 'bad', name: 'Bad' });
      bad.name = 'Bad, renamed';
      await sourceRepo(Category).save(bad);

      expect(await runner().runSynchronization()).toMatchObject({ applied: 0, failed: 1, heldBack: 1 });
      const toMirror = new StagingTaskRunner(mirrorId, { get: (id) => pair.source.kernel.get(id) });
      expect(await toMirror.runSynchronization()).toMatchObject({ applied: 2, failed: 0 });
      expect(
        await mirror.storage.dataSource.getRepository(Category).findOneByOrFail({ code: 'bad' }),
      ).toMatchObject({ name: 'Bad, renamed' });
      expect((await pendingRows()).map((r) => [r.objectKey, r.attempts])).toEqual([
        ['cms.category:bad', 1],
        ['cms.category:bad', 0],
      ]);
    } finally {
      await mirror.stop();
      delete process.env[mirrorSecret.variable];
    }
  });

  it('seed pattern: running each task from logTask.after as it is logged delivers every task, in order', async () => {
    await start();
    const sync = pair.source.kernel.get(SynchronizationInfoProvider);
    const applied: string[] = [];
    pair.target.kernel
      .get(StagingEvents)
      .processTask.after.subscribe(({ task }) => applied.push(`${task.taskType} ${String(task.data.name)}`));
    const runs: Promise<unknown>[] = [];
    pair.source.kernel.get(StagingEvents).logTask.after.subscribe(({ task }) => {
      const run = (async () => {
        for (const serverId of await sync.getServerIdsForTask(task.id)) {
          await new StagingTaskRunner(serverId).runSynchronization(task.id);
        }
      })();
      runs.push(run);
      return run;
    });
    const category = await sourceRepo(Category).save({ code: 'hot', name: 'v0' });
    for (let version = 1; version <= 10; version++) {
      category.name = `v${version}`;
      await sourceRepo(Category).save(category);
    }
    await eventually(async () => {
      await Promise.all(runs);
      return (await pendingRows()).length === 0;
    }, 'every run to finish');
    expect(await targetRepo(Category).findOneByOrFail({ code: 'hot' })).toMatchObject({ name: 'v10' });
    // In order: the create first, then updates in logged order (collapsing may skip versions, never reorder), v10
    // last, each applied once.
    expect(applied[0]).toBe('create v0');
    const versions = applied.slice(1).map((entry) => {
      expect(entry).toMatch(/^update v\d+$/);
      return Number(entry.slice('update v'.length));
    });
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(versions.at(-1)).toBe(10);
  });

  // Several nodes share one database on PostgreSQL; two SQLite nodes in one process would block each other's
  // synchronous driver, so the SQLite variant is the lease queue's own spec.
  const onPostgres = engine === 'postgres' ? it : it.skip;
  onPostgres(
    'two runners on the same database never send the same row: every task applies once',
    async () => {
      await start({ batchSize: 3 });
      const second = await Kernel.boot({
        config: {
          nodeName: 'source',
          database: { url: database!.url },
          staging: { batchSize: 3 },
          servers: [{ name: 'target', url: pair.server.url, secret: pair.secret.ref }],
        },
        modules: [StagingModule],
        ...contentModel,
        logger: createLogger({ level: 'silent' }),
      });
      try {
        for (let i = 0; i < 20; i++) await sourceRepo(Category).save({ code: `c${i}`, name: `C ${i}` });
        const other = new StagingTaskRunner(pair.server.id, { get: (id) => second.get(id) });
        const summaries = await Promise.all([runner().runSynchronization(), other.runSynchronization()]);
        expect(summaries.reduce((n, s) => n + s.applied, 0)).toBe(20);
        expect(summaries.reduce((n, s) => n + s.duplicates + s.failed, 0)).toBe(0);
        expect(await targetRepo(Category).count()).toBe(20);
        expect(await pendingRows()).toEqual([]);
      } finally {
        await second.stop();
      }
    },
  );
});
