// The per-server totals `GET /servers` shows (SynchronizationInfoProvider.stats) are kept by triggers, not counted: after every
// way rows come and go (log, collapse, deliver, fail, retry, delete, remove a server, rollbacks) they must equal a
// count over the queue. Runs on SQLite and on PostgreSQL.
import { Storage } from '@syncbus/core';
import { withSqlTransaction, type ClaimedSynchronization } from '@syncbus/core/internal';
import { ServerInfoProvider, SynchronizationInfoProvider } from '@syncbus/staging';
import { StagingQueue } from '@syncbus/staging/internal';
import { Category } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import {
  bootStagingNode,
  createTestSecret,
  resetPostgresSchema,
  type StagingNode,
} from '../support/staging-nodes';

type Engine = 'sqlite' | 'postgres';
type Totals = Record<string, { pending: number; failed: number; oldestPendingAt: number | null }>;

describeEachEngine<Engine>(['sqlite', 'postgres'])('staging queue totals (%s)', (engine) => {
  let database: TestDatabase | undefined;
  let node: StagingNode;

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await requireTestDatabase('staging_totals');
    }
  });
  afterAll(() => database?.drop());

  beforeEach(async () => {
    if (database) await resetPostgresSchema(database.url);
    const secret = createTestSecret();
    node = await bootStagingNode({
      name: 'source',
      databaseUrl: database?.url,
      http: false,
      servers: [
        { name: 'target', url: 'http://127.0.0.1:9', secret },
        { name: 'qa', url: 'http://127.0.0.1:9', secret },
      ],
    });
  });
  afterEach(async () => {
    await node.stop();
  });

  const names = async () =>
    new Map((await node.kernel.get(ServerInfoProvider).getServers()).map((s) => [s.id, s.name] as const));
  const serverId = async (name: string) => [...(await names())].find(([, n]) => n === name)![0];

  /** What `stats()` answers, by server name. */
  const kept = async (): Promise<Totals> => {
    const byId = await names();
    const stats = await node.kernel.get(SynchronizationInfoProvider).stats();
    return Object.fromEntries([...stats].map(([id, s]) => [byId.get(id) ?? `#${id}`, s]));
  };

  /** The same, counted over the queue as stats() did before the totals were kept. */
  const counted = async (): Promise<Totals> => {
    const rows = await withSqlTransaction(node.kernel.get(Storage), (sql) =>
      sql.all<{ name: string; pending: unknown; failed: unknown; oldest: unknown }>(
        `SELECT v.name AS name, SUM(CASE WHEN s.status = 'pending' THEN 1 ELSE 0 END) AS pending,
                SUM(CASE WHEN s.status = 'failed' THEN 1 ELSE 0 END) AS failed,
                MIN(CASE WHEN s.status = 'pending' THEN t.created_at END) AS oldest
           FROM staging_synchronization s JOIN staging_task t ON t.id = s.task_id
           JOIN staging_server v ON v.id = s.server_id GROUP BY v.name`,
      ),
    );
    return Object.fromEntries(
      rows.map((r) => [
        r.name,
        {
          pending: Number(r.pending),
          failed: Number(r.failed),
          oldestPendingAt: r.oldest === null ? null : Number(r.oldest),
        },
      ]),
    );
  };

  /** stats() and count() equal the count over the queue, and the queue holds `expected` rows per server. */
  const expectExact = async (expected: Record<string, { pending: number; failed: number }>) => {
    const truth = await counted();
    expect(await kept()).toEqual(truth);
    const list = node.kernel.get(SynchronizationInfoProvider);
    for (const name of Object.keys(expected)) expect(await list.count(name)).toEqual(expected[name]);
    expect(
      Object.fromEntries(
        Object.entries(truth).map(([n, t]) => [n, { pending: t.pending, failed: t.failed }]),
      ),
    ).toEqual(Object.fromEntries(Object.entries(expected).filter(([, e]) => e.pending + e.failed > 0)));
  };

  const categories = () => node.storage.dataSource.getRepository(Category);
  const claim = async (server: string, limit = 100): Promise<ClaimedSynchronization[]> =>
    node.kernel
      .get<StagingQueue>(StagingQueue)
      .claim({ targetId: await serverId(server), owner: 'test', limit, leaseMs: 60_000 });

  it('stay exact through log, collapse, rollback, deliver, fail, retry, delete and removing a server', async () => {
    const queue = node.kernel.get<StagingQueue>(StagingQueue);
    const list = node.kernel.get(SynchronizationInfoProvider);
    await expectExact({ target: { pending: 0, failed: 0 }, qa: { pending: 0, failed: 0 } });

    // log: three creates, a row for each server
    const saved = [];
    for (const code of ['news', 'blog', 'docs']) saved.push(await categories().save({ code, name: code }));
    await expectExact({ target: { pending: 3, failed: 0 }, qa: { pending: 3, failed: 0 } });

    // collapse: a second update replaces the first one's rows
    await categories().save({ ...saved[0], name: 'News' });
    await categories().save({ ...saved[0], name: 'News!' });
    await expectExact({ target: { pending: 4, failed: 0 }, qa: { pending: 4, failed: 0 } });

    // a rolled-back change logs nothing
    await expect(
      node.storage.transaction(async (manager) => {
        await manager.getRepository(Category).save({ code: 'gone', name: 'gone' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await expectExact({ target: { pending: 4, failed: 0 }, qa: { pending: 4, failed: 0 } });

    // deliver: two of target's rows complete (leasing changes no total)
    const claimed = await claim('target', 2);
    await expectExact({ target: { pending: 4, failed: 0 }, qa: { pending: 4, failed: 0 } });
    await queue.complete(
      claimed.map((r) => r.id),
      'test',
    );
    await expectExact({ target: { pending: 2, failed: 0 }, qa: { pending: 4, failed: 0 } });

    // fail: one row backs off (still pending), another fails for good
    const [backingOff, failing] = await claim('qa', 2);
    const policy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 };
    await queue.fail([{ id: backingOff.id, error: 'down' }], 'test', policy);
    await queue.fail([{ id: failing.id, error: 'refused', final: true }], 'test', policy);
    await expectExact({ target: { pending: 2, failed: 0 }, qa: { pending: 3, failed: 1 } });

    // retry makes it pending again; retrying a pending row changes nothing
    expect(await list.retry([failing.taskId, backingOff.taskId], 'qa')).toBe(2);
    await expectExact({ target: { pending: 2, failed: 0 }, qa: { pending: 4, failed: 0 } });

    // a failed queue operation rolls back with its totals
    const [again] = await claim('qa', 1);
    await queue.fail([{ id: again.id, error: 'refused', final: true }], 'test', policy);
    await expect(
      list.delete([again.taskId], undefined, async () => {
        throw new Error('audit failed');
      }),
    ).rejects.toThrow('audit failed');
    await expect(
      list.retry([again.taskId], 'qa', async () => {
        throw new Error('audit failed');
      }),
    ).rejects.toThrow('audit failed');
    await expectExact({ target: { pending: 2, failed: 0 }, qa: { pending: 3, failed: 1 } });

    // delete: the failed task (target already has it)
    expect(await list.delete([again.taskId])).toBe(1);
    await expectExact({ target: { pending: 2, failed: 0 }, qa: { pending: 3, failed: 0 } });

    // removing a server removes its rows, and its totals with them
    const qa = await serverId('qa');
    await node.kernel.get(ServerInfoProvider).deleteServer('qa');
    await expectExact({ target: { pending: 2, failed: 0 } });
    const [left] = await withSqlTransaction(node.kernel.get(Storage), (sql) =>
      sql.all<{ rows: unknown }>(
        'SELECT SUM(row_count) AS "rows" FROM staging_queue_count WHERE server_id = ?',
        [qa],
      ),
    );
    expect(Number(left.rows)).toBe(0);
  });

  it('report when the oldest pending task was logged, and nothing for a server with no rows', async () => {
    const before = Date.now();
    await categories().save({ code: 'first', name: 'first' });
    await categories().save({ code: 'second', name: 'second' });
    const totals = await kept();
    expect(totals).toEqual(await counted());
    expect(totals.target.oldestPendingAt).toBeGreaterThanOrEqual(before);
    const [first] = await claim('target', 1);
    await node.kernel.get<StagingQueue>(StagingQueue).complete([first.id], 'test');
    expect((await kept()).target).toEqual((await counted()).target);
    for (const row of await claim('target'))
      await node.kernel.get<StagingQueue>(StagingQueue).complete([row.id], 'test');
    expect(Object.keys(await kept())).toEqual(['qa']);
  });

  // Only PostgreSQL shards the counters by connection: on SQLite the test is declared skipped, not passed.
  const onPostgres = engine === 'postgres' ? it : it.skip;
  onPostgres(
    'sum the counters of every connection, and fold them when there are many (PostgreSQL)',
    async () => {
      await categories().save({ code: 'one', name: 'one' });
      const target = await serverId('target');
      // Shards of 70 connections long gone, adding up to one more and one less row.
      await withSqlTransaction(node.kernel.get(Storage), async (sql) => {
        for (let shard = 1; shard <= 70; shard++) {
          await sql.run(
            'INSERT INTO staging_queue_count (server_id, status, shard, row_count) VALUES (?, ?, ?, ?)',
            [target, 'pending', 1_000_000 + shard, shard % 2 === 0 ? 1 : -1],
          );
        }
      });
      expect(await kept()).toEqual(await counted());
      const [{ shards }] = await withSqlTransaction(node.kernel.get(Storage), (sql) =>
        sql.all<{ shards: unknown }>(
          'SELECT COUNT(*) AS shards FROM staging_queue_count WHERE server_id = ?',
          [target],
        ),
      );
      expect(Number(shards)).toBeLessThanOrEqual(3);
      expect(await kept()).toEqual(await counted());
    },
  );
});
