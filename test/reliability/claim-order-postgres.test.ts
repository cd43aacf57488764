// Per-object order on PostgreSQL when a claim meets a row another transaction holds: a host transaction that
// collapses an object's pending update locks that row until it commits or rolls back, the claim's SKIP LOCKED
// passes over it, and the object's later rows must wait for it instead of overtaking it.
import { ObjectChanges } from '@syncbus/core';
import { type LeaseQueue } from '@syncbus/core/internal';
import { StagingQueue } from '@syncbus/staging/internal';
import { StagingTask } from '@syncbus/staging';
import { Article } from '../support/content-model';
import { ifPostgres, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

ifPostgres(describe)('a PostgreSQL claim passing over a row a host transaction holds', () => {
  let database: TestDatabase | undefined;
  let node: StagingNode | undefined;
  beforeAll(async () => {
    database = await requireTestDatabase('claim_order');
  });
  afterAll(async () => {
    await node?.stop();
    await database?.drop();
  });

  it("holds back that object's later rows until the transaction ends, then sends them in order", async () => {
    const secret = createTestSecret();
    node = await bootStagingNode({
      name: 'source',
      http: false,
      databaseUrl: database!.url,
      servers: [{ name: 'target', url: 'http://127.0.0.1:9', secret }],
    });
    const { dataSource } = node.storage;
    const articles = dataSource.getRepository(Article);
    const queue = node.kernel.get<LeaseQueue>(StagingQueue);
    const [{ id: targetId }] = await dataSource.query<{ id: number }[]>(
      "SELECT id FROM staging_server WHERE name = 'target'",
    );
    await articles.save({ guid: 'held', title: 'v1' });
    await articles.update({ guid: 'held' }, { title: 'v2' });
    await node.kernel
      .get(ObjectChanges)
      .logObjectChange(await articles.findOneByOrFail({ guid: 'held' }), 'publish');
    await articles.save({ guid: 'free', title: 'Free' });

    const describeRows = async (rows: readonly { taskId: number }[]) => {
      const tasks = await dataSource.getRepository(StagingTask).find({ order: { id: 'ASC' } });
      const byId = new Map(tasks.map((t) => [t.id, `${t.taskType} ${t.objectGuid}`] as const));
      return rows.map((r) => byId.get(r.taskId));
    };

    // The host's transaction collapses the pending update (locking its row), then rolls back after the claim.
    let inside!: () => void;
    let finish!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    const released = new Promise<void>((resolve) => (finish = resolve));
    const host = node.storage.transaction(async (manager) => {
      await manager.update(Article, { guid: 'held' }, { title: 'v3' });
      inside();
      await released;
      throw new Error('the host rolls back');
    });
    await entered;
    const first = await queue.claim({ targetId, owner: 'worker-1', limit: 100, leaseMs: 60_000 });
    finish();
    await expect(host).rejects.toThrow('the host rolls back');
    expect(await describeRows(first)).toEqual(['create held', 'create free']);

    await queue.complete(
      first.map((r) => r.id),
      'worker-1',
    );
    const second = await queue.claim({ targetId, owner: 'worker-2', limit: 100, leaseMs: 60_000 });
    expect(await describeRows(second)).toEqual(['update held', 'publish held']);
  });
});
