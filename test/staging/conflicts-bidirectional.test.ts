// Two nodes staging to each other over real HTTP, both editing one object before either synchronizes: both
// detect the conflict, neither loops, and one resolution (on either side, either way) leaves both with the same
// content. A third node shows that bases are kept per source.
import { ServerInfoProvider, StagingConflicts, StagingTaskRunner } from '@syncbus/staging';
import { Article, Category } from '../support/content-model';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

describe('conflicts between two nodes that stage to each other', () => {
  let nodes: StagingNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
  });

  const staging = { receiver: { conflicts: { policy: 'hold' } } };
  /** Nodes `a` and `b`, each a server of the other and accepting the other's tasks. */
  const startPair = async () => {
    const secret = createTestSecret();
    const a = await bootStagingNode({ name: 'a', acceptFrom: [{ server: 'b', secret }], staging });
    const b = await bootStagingNode({
      name: 'b',
      acceptFrom: [{ server: 'a', secret }],
      servers: [{ name: 'a', url: a.url!, secret }],
      staging,
    });
    nodes.push(a, b);
    await a.kernel.get(ServerInfoProvider).addServer({ name: 'b', url: b.url!, secret: secret.ref });
    return { a, b };
  };
  const sync = async (from: StagingNode, to: string) => {
    const server = (await from.kernel.get(ServerInfoProvider).getServer(to))!;
    return new StagingTaskRunner(server.id, { get: (id) => from.kernel.get(id) }).runSynchronization(
      undefined,
      {
        dueNow: true,
      },
    );
  };
  const articles = (node: StagingNode) => node.storage.dataSource.getRepository(Article);
  const article = (node: StagingNode) => articles(node).findOneByOrFail({ guid: 'a-1' });
  const edit = async (node: StagingNode, title: string) =>
    articles(node).save({ ...(await article(node)), title });
  const conflicts = (node: StagingNode) => node.kernel.get(StagingConflicts);
  /**
   * A target accepting tasks from sources `one` and `two`, which each created article `a-1` (the same content)
   * and synchronized it: the target keeps a base of it per source.
   */
  const startTwoSourcesOfOneObject = async () => {
    const secret = createTestSecret();
    const target = await bootStagingNode({
      name: 'target',
      acceptFrom: [
        { server: 'one', secret },
        { server: 'two', secret },
      ],
      staging,
    });
    nodes.push(target);
    const source = async (name: string) => {
      const node = await bootStagingNode({
        name,
        http: false,
        servers: [{ name: 'target', url: target.url!, secret }],
      });
      nodes.push(node);
      return node;
    };
    const one = await source('one');
    const two = await source('two');
    for (const node of [one, two]) {
      await articles(node).save({ guid: 'a-1', title: 'same', body: 'b', views: 0 });
      expect(await sync(node, 'target')).toMatchObject({ applied: 1, conflicts: 0 });
    }
    return { target, one, two };
  };

  /** An article made on a, staged to b; then both edit it. */
  const editedOnBoth = async (a: StagingNode, b: StagingNode) => {
    const news = await a.storage.dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
    await articles(a).save({ guid: 'a-1', title: 'v0', body: 'b', views: 0, category: news });
    expect(await sync(a, 'b')).toMatchObject({ applied: 2, conflicts: 0 });
    // b's change of an object it received is its own edit: b stages it back to a.
    expect(await sync(b, 'a')).toMatchObject({ sent: 0 });
    await edit(a, 'edited on a');
    await edit(b, 'edited on b');
    expect(await sync(a, 'b')).toMatchObject({ conflicts: 1 });
    expect(await sync(b, 'a')).toMatchObject({ conflicts: 1 });
    expect((await article(a)).title).toBe('edited on a');
    expect((await article(b)).title).toBe('edited on b');
    const [onA] = await conflicts(a).list({ status: 'open' });
    const [onB] = await conflicts(b).list({ status: 'open' });
    expect(onA).toMatchObject({ sourceServer: 'b', kind: 'changed' });
    expect(onB).toMatchObject({ sourceServer: 'a', kind: 'changed' });
    return { onA, onB };
  };
  /** Synchronizes both ways until nothing is sent, bounded: a loop would never stop sending. */
  const settle = async (a: StagingNode, b: StagingNode) => {
    for (let round = 0; round < 5; round++) {
      const sent = (await sync(a, 'b')).sent + (await sync(b, 'a')).sent;
      if (sent === 0) return round;
    }
    throw new Error('the two nodes kept sending each other tasks: a loop');
  };

  it.each([
    ['b', 'source', 'edited on a'],
    ['b', 'target', 'edited on b'],
    ['a', 'source', 'edited on b'],
    ['a', 'target', 'edited on a'],
  ] as const)(
    'resolved on %s taking the %s: both hold %p, with no conflict left',
    async (side, take, expected) => {
      const { a, b } = await startPair();
      const { onA, onB } = await editedOnBoth(a, b);
      const [resolver, conflict] = side === 'a' ? [a, onA] : [b, onB];
      await conflicts(resolver).resolve(conflict.id, take, 'editor');
      await settle(a, b);
      expect((await article(a)).title).toBe(expected);
      expect((await article(b)).title).toBe(expected);
      expect(await conflicts(a).openCount()).toBe(0);
      expect(await conflicts(b).openCount()).toBe(0);

      // From here on an edit on either side travels as usual, with no conflict.
      await edit(a, 'after the resolution');
      expect(await sync(a, 'b')).toMatchObject({ applied: 1, conflicts: 0 });
      expect((await article(b)).title).toBe('after the resolution');
      await edit(b, 'and back');
      expect(await sync(b, 'a')).toMatchObject({ applied: 1, conflicts: 0 });
      expect((await article(a)).title).toBe('and back');
    },
  );

  it('a later edit on the resolving node replaces its resolution task and still says what the peer holds', async () => {
    const { a, b } = await startPair();
    const { onB } = await editedOnBoth(a, b);
    await conflicts(b).resolve(onB.id, 'target', 'editor');
    await edit(b, 'edited again on b'); // collapses the task the resolution logged for a
    await settle(a, b);
    expect((await article(a)).title).toBe('edited again on b');
    expect((await article(b)).title).toBe('edited again on b');
    expect(await conflicts(a).openCount()).toBe(0);
  });

  it('with overwrite both sides still detect the edit made on both, and each keeps the other one in a record', async () => {
    const secret = createTestSecret();
    const overwrite = { receiver: { conflicts: { policy: 'overwrite' } } };
    const a = await bootStagingNode({ name: 'a', acceptFrom: [{ server: 'b', secret }], staging: overwrite });
    const b = await bootStagingNode({
      name: 'b',
      acceptFrom: [{ server: 'a', secret }],
      servers: [{ name: 'a', url: a.url!, secret }],
      staging: overwrite,
    });
    nodes.push(a, b);
    await a.kernel.get(ServerInfoProvider).addServer({ name: 'b', url: b.url!, secret: secret.ref });
    await articles(a).save({ guid: 'a-1', title: 'v0', body: 'b', views: 0 });
    await sync(a, 'b');
    await edit(a, 'edited on a');
    await edit(b, 'edited on b');
    expect(await sync(a, 'b')).toMatchObject({ applied: 1 });
    expect(await sync(b, 'a')).toMatchObject({ applied: 1 });
    const [onA] = await conflicts(a).list();
    const [onB] = await conflicts(b).list();
    expect(onA).toMatchObject({ outcome: 'overwritten', sourceServer: 'b' });
    expect(JSON.parse(onA.target!)).toMatchObject({ title: 'edited on a' });
    expect(onB).toMatchObject({ outcome: 'overwritten', sourceServer: 'a' });
    expect(JSON.parse(onB.target!)).toMatchObject({ title: 'edited on b' });
  });

  it('keeps a base per source: a third node that staged the same object is compared with its own base', async () => {
    const { target, one, two } = await startTwoSourcesOfOneObject();
    // one changes it; two's base (what two left it in) is now out of date: two's next change is a conflict.
    await edit(one, 'from one');
    expect(await sync(one, 'target')).toMatchObject({ applied: 1, conflicts: 0 });
    await edit(two, 'from two');
    expect(await sync(two, 'target')).toMatchObject({ conflicts: 1 });
    expect(await conflicts(target).list({ status: 'open' })).toEqual([
      expect.objectContaining({ sourceServer: 'two', kind: 'changed' }),
    ]);
    expect((await article(target)).title).toBe('from one');
  });

  it("keeps another source's base when one source deletes the object: that source's later update is a conflict", async () => {
    const { target, one, two } = await startTwoSourcesOfOneObject();
    await articles(one).remove(await article(one));
    expect(await sync(one, 'target')).toMatchObject({ applied: 1, conflicts: 0 });
    expect(await articles(target).findOneBy({ guid: 'a-1' })).toBeNull();
    // two still has its base: its edit meets an object deleted here since, and is held, not silently re-created.
    await edit(two, 'from two');
    expect(await sync(two, 'target')).toMatchObject({ conflicts: 1 });
    expect(await conflicts(target).list({ status: 'open' })).toEqual([
      expect.objectContaining({ sourceServer: 'two', kind: 'deleted-on-target' }),
    ]);
    expect(await articles(target).findOneBy({ guid: 'a-1' })).toBeNull();
  });
});
