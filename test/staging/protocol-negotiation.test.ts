// Staging protocol version negotiation over real HTTP on loopback: a node of this release (version 2) and a node
// that speaks version 1 exactly as the release before version 2 did interoperate without a stalled batch and
// without losing a task. The old peer is simulated at the wire (test/support/staging-protocol-v1.ts: the old
// release's schemas copied unchanged, its receiver's answers and its sender's reading of replies); the new node is
// a real node.
import { randomUUID } from 'node:crypto';
import { StagingTransport } from '@syncbus/staging/internal';
import {
  PROTOCOL_HEADER,
  SIGNATURE_HEADER,
  STAGING_PROTOCOL_VERSION,
  STAGING_TASKS_PATH,
  StagingConflicts,
  StagingTaskRunner,
  SynchronizationInfoProvider,
  TIMESTAMP_HEADER,
  ServerInfoProvider,
} from '@syncbus/staging';
import { signHmacRequest } from '@syncbus/core';
import { Article, Category } from '../support/content-model';
import { sendAsV1, startV1Receiver, type V1Receiver } from '../support/staging-protocol-v1';
import {
  bootStagingNode,
  createTestSecret,
  startStagingPair,
  type StagingNode,
  type StagingPair,
  type TestSecret,
} from '../support/staging-nodes';

describe('staging protocol negotiation', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  describe('a source of this release and a receiver of version 1', () => {
    let secret: TestSecret;
    let old: V1Receiver;
    let source: StagingNode;

    beforeEach(async () => {
      secret = createTestSecret();
      old = await startV1Receiver({ source: 'source', secret: secret.value });
      stops.push(() => old.close());
      source = await bootStagingNode({
        name: 'source',
        http: false,
        servers: [{ name: 'old', url: old.url, secret }],
      });
      stops.push(() => source.stop());
    });

    const server = async () => (await source.kernel.get(ServerInfoProvider).getServer('old'))!;
    const sync = async () =>
      new StagingTaskRunner((await server()).id, { get: (id) => source.kernel.get(id) }).runSynchronization();
    const pending = async () =>
      source.kernel.get(SynchronizationInfoProvider).getSynchronizations({ serverId: (await server()).id });

    it('is refused version 2 once, sends the batch again at once in version 1 without base, and remembers', async () => {
      const news = await source.storage.dataSource
        .getRepository(Category)
        .save({ code: 'news', name: 'News' });
      await source.storage.dataSource
        .getRepository(Article)
        .save({ guid: 'a-1', title: 'Hello', body: '', views: 1, category: news });
      // A task a conflict resolution logged carries the peer's expected version as its base.
      await source.storage.dataSource.query(
        `UPDATE staging_task SET base = '{"guid":"a-1","title":"Before"}' WHERE object_guid = 'a-1'`,
      );

      expect(await sync()).toMatchObject({ sent: 2, applied: 2, failed: 0 });
      expect(old.requests.map((r) => [r.protocol, r.status])).toEqual([
        [2, 409],
        [1, 200],
      ]);
      const tasks = old.requests[1].body.tasks as Record<string, unknown>[];
      expect(tasks.map((t) => t.objectGuid)).toEqual(['news', 'a-1']);
      // The old release refuses `base`: a version-1 request carries none.
      expect(tasks.every((t) => !('base' in t))).toBe(true);
      expect(await pending()).toEqual([]);
      expect(source.kernel.get(StagingTransport).protocolFor(await server())).toBe(1);

      // Remembered: the next batch goes in version 1 straight away.
      await source.storage.dataSource.getRepository(Category).save({ code: 'sport', name: 'Sport' });
      expect(await sync()).toMatchObject({ sent: 1, applied: 1, failed: 0 });
      expect(old.requests.slice(2).map((r) => [r.protocol, r.status])).toEqual([[1, 200]]);
    });

    it('moves up to version 2 once the receiver, upgraded in place, names it in its answer', async () => {
      const categories = source.storage.dataSource.getRepository(Category);
      await categories.save({ code: 'news', name: 'News' });
      await sync();
      expect(source.kernel.get(StagingTransport).protocolFor(await server())).toBe(1);

      old.speaks = 2;
      await categories.save({ code: 'sport', name: 'Sport' });
      expect(await sync()).toMatchObject({ applied: 1, failed: 0 });
      await categories.save({ code: 'arts', name: 'Arts' });
      expect(await sync()).toMatchObject({ applied: 1, failed: 0 });
      // The first request after the upgrade was still version 1 (what the source knew); its answer's header
      // moved the source up, so the next one is version 2.
      expect(old.requests.slice(2).map((r) => [r.protocol, r.status])).toEqual([
        [1, 200],
        [2, 200],
      ]);
      expect(source.kernel.get(StagingTransport).protocolFor(await server())).toBe(2);
    });
  });

  describe('a source of version 1 and a receiver of this release', () => {
    let secret: TestSecret;
    let target: StagingNode;
    const as = () => ({ source: 'source', secret: secret.value });

    const start = async (conflicts: Record<string, unknown>) => {
      secret = createTestSecret();
      target = await bootStagingNode({
        name: 'target',
        acceptFrom: [{ server: 'source', secret }],
        staging: { receiver: { conflicts } },
      });
      stops.push(() => target.stop());
    };
    const wireTask = (overrides: Record<string, unknown>) => ({
      guid: randomUUID(),
      taskType: 'update',
      objectType: 'cms.article',
      objectGuid: 'a-1',
      objectId: '1',
      title: 'Hello',
      data: { title: 'from the source' },
      createdAt: Date.now(),
      origin: [],
      users: [],
      groups: [],
      ...overrides,
    });
    /** The category and article, created through the old sender, so the target holds them with a base. */
    const staged = async () => {
      const created = await sendAsV1(target.url!, as(), [
        wireTask({
          taskType: 'create',
          objectType: 'cms.category',
          objectGuid: 'news',
          data: { code: 'news', name: 'News' },
        }),
        wireTask({
          taskType: 'create',
          data: {
            guid: 'a-1',
            title: 'v1',
            body: 'body 1',
            views: 1,
            category: { $ref: { type: 'cms.category', identity: 'news' } },
          },
        }),
      ]);
      expect(created).toMatchObject({
        ok: true,
        reply: { results: [{ status: 'applied' }, { status: 'applied' }] },
      });
      const articles = target.storage.dataSource.getRepository(Article);
      // Someone edits the article directly on the target.
      await articles.save({ ...(await articles.findOneByOrFail({ guid: 'a-1' })), title: 'fixed here' });
    };
    const onTarget = () => target.storage.dataSource.getRepository(Article).findOneByOrFail({ guid: 'a-1' });

    it('answers a held conflict as an error the old source retries; once resolved, the retry is a duplicate', async () => {
      await start({ policy: 'hold' });
      await staged();
      const update = wireTask({});
      const first = await sendAsV1(target.url!, as(), [update]);
      // The old sender accepts the reply (no status it does not know), and keeps the task to retry.
      expect(first).toMatchObject({
        ok: true,
        reply: {
          results: [{ guid: update.guid, status: 'error', message: expect.stringMatching(/^CONFLICT: /) }],
        },
        raw: { protocol: 1 },
      });
      const [conflict] = await target.kernel.get(StagingConflicts).list();
      expect(conflict).toMatchObject({ status: 'open', outcome: 'held', taskGuid: update.guid });
      expect((first as { reply: { results: { message?: string }[] } }).reply.results[0].message).toMatch(
        new RegExp(`conflict ${conflict.id} is resolved`),
      );
      // Retried (as the old source does after its backoff): held still, the same record.
      expect(await sendAsV1(target.url!, as(), [update])).toMatchObject({
        ok: true,
        reply: { results: [{ status: 'error' }] },
      });
      expect(await target.kernel.get(StagingConflicts).list()).toHaveLength(1);
      expect(await onTarget()).toMatchObject({ title: 'fixed here' });

      await target.kernel.get(StagingConflicts).resolve(conflict.id, 'source', 'editor');
      expect(await onTarget()).toMatchObject({ title: 'from the source' });
      expect(await sendAsV1(target.url!, as(), [update])).toMatchObject({
        ok: true,
        reply: { results: [{ guid: update.guid, status: 'duplicate' }] },
      });
    });

    it('answers a task kept by keep-target as a duplicate: the old source drops it, the target keeps its edit', async () => {
      await start({ policy: 'keep-target' });
      await staged();
      const update = wireTask({});
      expect(await sendAsV1(target.url!, as(), [update])).toMatchObject({
        ok: true,
        reply: {
          results: [
            {
              guid: update.guid,
              status: 'duplicate',
              message: expect.stringMatching(/^CONFLICT_KEPT-TARGET: /),
            },
          ],
        },
      });
      expect(await onTarget()).toMatchObject({ title: 'fixed here' });
      expect(await target.kernel.get(StagingConflicts).list()).toMatchObject([
        { outcome: 'kept-target', taskGuid: update.guid },
      ]);
      // Sent again: the ledger holds it, nothing changes.
      expect(await sendAsV1(target.url!, as(), [update])).toMatchObject({
        ok: true,
        reply: { results: [{ status: 'duplicate' }] },
      });
    });

    it('refuses a version-1 request carrying base, as the old release did, and names its version in every answer', async () => {
      await start({ policy: 'hold' });
      const post = async (body: Record<string, unknown>) => {
        const raw = JSON.stringify(body);
        const timestamp = Math.floor(Date.now() / 1000);
        const response = await fetch(`${target.url}${STAGING_TASKS_PATH}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signHmacRequest(secret.value, timestamp, raw),
          },
          body: raw,
        });
        return {
          status: response.status,
          header: response.headers.get(PROTOCOL_HEADER),
          body: (await response.json()) as Record<string, unknown>,
        };
      };
      const category = wireTask({
        taskType: 'create',
        objectType: 'cms.category',
        objectGuid: 'news',
        data: { code: 'news', name: 'News' },
      });
      expect(
        await post({ protocol: 1, source: { server: 'source' }, tasks: [{ ...category, base: null }] }),
      ).toMatchObject({
        status: 400,
        header: String(STAGING_PROTOCOL_VERSION),
        body: { error: 'INVALID_REQUEST' },
      });
      expect(await post({ protocol: 3, source: { server: 'source' }, tasks: [] })).toMatchObject({
        status: 409,
        header: '2',
        body: { error: 'PROTOCOL_MISMATCH' },
      });
      expect(
        await post({ protocol: 2, source: { server: 'source' }, tasks: [{ ...category, base: null }] }),
      ).toEqual({
        status: 200,
        header: '2',
        body: { protocol: 2, results: [{ guid: category.guid, status: 'applied' }] },
      });
    });
  });

  it('a source and a receiver of this release speak version 2: a held conflict reaches the source as such', async () => {
    const pair: StagingPair = await startStagingPair({
      targetStaging: { receiver: { conflicts: { policy: 'hold' } } },
    });
    stops.push(() => pair.stop());
    const sync = () =>
      new StagingTaskRunner(pair.server.id, { get: (id) => pair.source.kernel.get(id) }).runSynchronization();
    const news = await pair.source.storage.dataSource
      .getRepository(Category)
      .save({ code: 'news', name: 'News' });
    const article = await pair.source.storage.dataSource
      .getRepository(Article)
      .save({ guid: 'a-1', title: 'v1', body: 'b', views: 1, category: news });
    expect(await sync()).toMatchObject({ applied: 2 });
    expect(pair.source.kernel.get(StagingTransport).protocolFor(pair.server)).toBe(2);
    const articles = pair.target.storage.dataSource.getRepository(Article);
    await articles.save({ ...(await articles.findOneByOrFail({ guid: 'a-1' })), title: 'fixed here' });
    await pair.source.storage.dataSource.getRepository(Article).save({ ...article, body: 'b2' });
    expect(await sync()).toMatchObject({ conflicts: 1, failed: 0 });
  });
});
