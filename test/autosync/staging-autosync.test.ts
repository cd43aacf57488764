// The staging auto-sync plugin between real nodes over HTTP on loopback (through a proxy the test can slow, hold or
// take down): a burst of 1,000 changes, a target that is down, a clean stop, parallel requests, and config errors.
// Runs with the source on SQLite and on PostgreSQL.
import { ConfigError, type Kernel, type Storage } from '@syncbus/core';
import { SynchronizationInfoProvider } from '@syncbus/staging';
import { Article } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { tempSqliteUrl } from '../support/temp-sqlite';
import {
  bootStagingNode,
  createTestSecret,
  eventually,
  resetPostgresSchema,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';
import { bootSource } from './autosync-nodes';
import { deliveryProblems, recordApplied, recordLogged } from './delivery-check';
import { startGatedProxy, type GatedProxy } from './gated-proxy';

describeEachEngine(['sqlite', 'postgres'] as const)('staging auto-sync plugin (source on %s)', (engine) => {
  let database: TestDatabase | undefined;
  let databaseUrl: string;
  let secret: TestSecret;
  let target: StagingNode;
  let proxy: GatedProxy;
  let source: { kernel: Kernel; storage: Storage } | undefined;

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await requireTestDatabase('staging_autosync');
    }
  });
  afterAll(() => database?.drop());

  beforeEach(async () => {
    // A fresh source database per test; on PostgreSQL, drop what the previous test's node created.
    if (database) await resetPostgresSchema(database.url);
    databaseUrl = database?.url ?? tempSqliteUrl('autosync-source');
    secret = createTestSecret();
    target = await bootStagingNode({ name: 'target', acceptFrom: [{ server: 'source', secret }] });
    proxy = await startGatedProxy(target.url!);
  });
  afterEach(async () => {
    proxy.release();
    await source?.kernel.stop();
    source = undefined;
    await proxy.close();
    await target.stop();
    delete process.env[secret.variable];
  });

  const start = async (
    stagingAutoSync: Record<string, unknown> = {},
    staging: Record<string, unknown> = {},
    plugins?: string[],
  ) => {
    source = await bootSource({
      databaseUrl,
      plugins,
      servers: [{ name: 'target', url: proxy.url, secret }],
      staging: { batchSize: 50, ...staging },
      // The section is only known with the plugin loaded.
      config: plugins?.length === 0 ? {} : { stagingAutoSync },
    });
    return source;
  };
  const articles = (node: { storage: Storage }) => node.storage.dataSource.getRepository(Article);
  const pending = () => source!.kernel.get(SynchronizationInfoProvider).getSynchronizations();
  const ledger = async () =>
    Number((await target.storage.dataSource.query('SELECT COUNT(*) AS n FROM staging_received_task'))[0].n);

  it('a burst of 1,000 changes across 200 objects: logging never waits, every task applies once, in order per object', async () => {
    const node = await start();
    const logged = recordLogged(node.kernel);
    const applied = recordApplied(target.kernel);
    const repository = articles(node);
    // Every request is held at the proxy: the first batch goes out and gets no answer while the burst is logged.
    proxy.hold();
    const objects = 200;
    // Each change as a host makes it, one request at a time: back to the event loop between changes (a loop of
    // saves alone would never let the network run, since SQLite answers synchronously).
    const touch = async (index: number, round: number) => {
      const article = await repository.findOneByOrFail({ guid: `a-${index}` });
      article.views += 1;
      article.title = `Article ${index}, round ${round}`;
      await repository.save(article);
      await new Promise(setImmediate);
    };
    for (let i = 0; i < objects; i++) {
      await repository.save({ guid: `a-${i}`, title: `Article ${i}` });
      await new Promise(setImmediate);
    }
    for (let i = 0; i < 300; i++) await touch((i * 3) % objects, 1);
    // 500 changes logged; the target has applied nothing and one request is in flight.
    await eventually(() => proxy.held === 1, 'the first request to reach the held proxy');
    expect({ ledger: await ledger(), requests: proxy.requests, held: proxy.held }).toEqual({
      ledger: 0,
      requests: 1,
      held: 1,
    });
    expect(logged.length).toBe(500);

    // The target answers again, slowly, while the second half of the burst is logged.
    proxy.delayMs = 25;
    proxy.release();
    for (let round = 2; round <= 5; round++)
      for (let i = 0; i < objects; i++) await touch((i * 7) % objects, round);
    const changes = logged.length;
    expect(changes).toBeGreaterThanOrEqual(1000);
    await eventually(async () => (await pending()).length === 0, 'the source queue to drain', 60_000);

    expect(deliveryProblems(logged, applied)).toEqual([]);
    expect(applied.length).toBeGreaterThanOrEqual(2 * objects);
    expect(proxy.maxInFlight).toBe(1);
    expect(proxy.requests).toBeLessThan(applied.length / 3);
    const onTarget = await articles(target).find({ order: { guid: 'ASC' } });
    const onSource = await repository.find({ order: { guid: 'ASC' } });
    expect(onTarget.map((a) => [a.guid, a.title, a.views])).toEqual(
      onSource.map((a) => [a.guid, a.title, a.views]),
    );
    expect(onTarget.reduce((sum, a) => sum + a.views, 0)).toBe(logged.length - objects);
  }, 90_000);

  it('a target that is down: tasks stay pending with the error, the loop backs off instead of hammering, then delivers', async () => {
    const node = await start({ backoff: { baseDelayMs: 200, maxDelayMs: 400 } });
    const logged = recordLogged(node.kernel);
    const applied = recordApplied(target.kernel);
    const repository = articles(node);
    proxy.down = true;
    await repository.save({ guid: 'd-0', title: 'First' });
    await eventually(() => proxy.requests >= 1, 'a first attempt');
    // Every change logged meanwhile kicks the loop; it still waits out its backoff between attempts.
    for (let i = 1; i <= 20; i++) {
      await repository.save({ guid: `d-${i}`, title: `Change ${i}` });
      await new Promise(setImmediate);
    }
    await eventually(() => proxy.requests >= 4, 'three more attempts', 10_000);
    const gaps = proxy.arrivals.slice(1, 4).map((at, i) => at - proxy.arrivals[i]);
    // Backoff delays are jittered in [base/2, base] and double: never sooner than 100 ms here.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(95);
    const rows = await pending();
    expect(rows).toHaveLength(21);
    expect(rows[0]).toMatchObject({ status: 'pending', lastError: expect.stringContaining('answered 503') });
    // An outage (the whole batch failed) counts no attempt: the backlog never turns failed while the target is down.
    expect(rows.every((row) => row.attempts === 0)).toBe(true);
    expect(await ledger()).toBe(0);

    proxy.down = false;
    await eventually(async () => (await pending()).length === 0, 'delivery once the target is back', 10_000);
    expect(deliveryProblems(logged, applied)).toEqual([]);
    expect(applied).toHaveLength(21);
  });

  it('stop lets the batch in flight finish and records it, gives the other leases back; a restart drains the rest', async () => {
    const node = await start({}, { batchSize: 5 });
    const logged = recordLogged(node.kernel);
    const applied = recordApplied(target.kernel);
    proxy.hold();
    for (let i = 0; i < 12; i++) {
      await articles(node).save({ guid: `s-${i}`, title: `Stop ${i}` });
      await new Promise(setImmediate);
    }
    await eventually(() => proxy.held === 1, 'a batch in flight');
    let stopped = false;
    const stopping = node.kernel.stop().then(() => (stopped = true));
    source = undefined;
    // Nothing can be awaited for "still waiting": give the stop a moment to (wrongly) finish.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    proxy.release();
    await stopping;

    const inFirstBatch = applied.length;
    expect(inFirstBatch).toBeGreaterThanOrEqual(1);
    expect(proxy.requests).toBe(1);
    // What the stopped node left, seen by a node without the plugin: no lease held, no attempt counted.
    const inspector = await start({}, {}, []);
    const left = await pending();
    expect(left).toHaveLength(12 - inFirstBatch);
    expect(left.every((row) => row.leaseOwner === null && row.attempts === 0)).toBe(true);
    await inspector.kernel.stop();

    const again = await start({}, { batchSize: 5 });
    await eventually(async () => (await pending()).length === 0, 'the restarted node to drain what was left');
    expect(deliveryProblems(logged, applied)).toEqual([]);
    expect(applied).toHaveLength(12);
    expect(await articles(target).count()).toBe(12);
    expect(again.kernel.modules.map((m) => m.name)).toContain('StagingAutoSync');
  });

  it('maxInFlight 3: up to three requests to one server at once, and order per object still holds', async () => {
    const node = await start({ maxInFlight: 3 }, { batchSize: 10 });
    const logged = recordLogged(node.kernel);
    const applied = recordApplied(target.kernel);
    const repository = articles(node);
    proxy.delayMs = 40;
    for (let i = 0; i < 50; i++) {
      await repository.save({ guid: `p-${i}`, title: `Parallel ${i}` });
      await new Promise(setImmediate);
    }
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 50; i++) {
        const article = await repository.findOneByOrFail({ guid: `p-${i}` });
        article.views = round;
        await repository.save(article);
        await new Promise(setImmediate);
      }
    }
    await eventually(async () => (await pending()).length === 0, 'the queue to drain', 20_000);
    expect(proxy.maxInFlight).toBeGreaterThan(1);
    expect(proxy.maxInFlight).toBeLessThanOrEqual(3);
    expect(deliveryProblems(logged, applied)).toEqual([]);
    const onTarget = await articles(target).find({ order: { guid: 'ASC' } });
    expect(onTarget.map((a) => a.views)).toEqual(new Array(50).fill(3));
  });

  it('refuses to start when stagingAutoSync.servers names a server the node does not have', async () => {
    await expect(start({ servers: ['target', 'prodution'] })).rejects.toThrow(ConfigError);
    await expect(start({ servers: ['prodution'] })).rejects.toThrow(
      /stagingAutoSync\.servers\.0: no staging server 'prodution' exists \(known: target\)/,
    );
  });
});
