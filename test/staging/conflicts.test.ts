// Conflicts on two real nodes over HTTP: a target's own edit is detected on update, delete and create, handled by
// each policy, recorded, and resolved; the normal path reports none. Runs with the target on SQLite and PostgreSQL.
import {
  StagingConflicts,
  StagingEvents,
  StagingTaskLogger,
  StagingTaskRunner,
  SynchronizationInfoProvider,
  type StagingConflict,
} from '@syncbus/staging';
import { Article, Category } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { resetPostgresSchema, startStagingPair, type StagingPair } from '../support/staging-nodes';

describeEachEngine(['sqlite', 'postgres'])('conflicts (target on %s)', (engine) => {
  let database: TestDatabase | undefined;
  let pair: StagingPair | undefined;

  beforeAll(async () => {
    if (engine === 'postgres') database = await requireTestDatabase('staging_conflicts');
  });
  afterAll(() => database?.drop());
  afterEach(async () => {
    await pair?.stop();
    pair = undefined;
  });

  /** A pair whose target handles conflicts with `policy` (by default for every type). */
  const start = async (conflicts: Record<string, unknown>) => {
    if (database) await resetPostgresSchema(database.url);
    pair = await startStagingPair({
      targetDatabaseUrl: database?.url,
      targetStaging: { receiver: { conflicts } },
    });
    return pair;
  };
  const sync = () =>
    new StagingTaskRunner(pair!.server.id, { get: (id) => pair!.source.kernel.get(id) }).runSynchronization();
  const source = <T extends object>(entity: new () => T) =>
    pair!.source.storage.dataSource.getRepository<T>(entity);
  const target = <T extends object>(entity: new () => T) =>
    pair!.target.storage.dataSource.getRepository<T>(entity);
  const conflicts = () => pair!.target.kernel.get(StagingConflicts);
  const allConflicts = () => conflicts().list();
  const pending = () =>
    pair!.source.kernel.get(SynchronizationInfoProvider).getSynchronizations({ serverId: pair!.server.id });

  /** An article staged once (with its category), so the target holds it with a base. */
  const staged = async (guid = 'a-1') => {
    const news =
      (await source(Category).findOneBy({ code: 'news' })) ??
      (await source(Category).save({ code: 'news', name: 'News' }));
    const article = await source(Article).save({
      guid,
      title: 'v1',
      body: 'body 1',
      views: 1,
      category: news,
    });
    expect((await sync()).applied).toBeGreaterThanOrEqual(1);
    return article;
  };
  /** Someone edits the object directly on the target. */
  const editOnTarget = async (guid: string, change: Partial<Article>) => {
    const row = await target(Article).findOneByOrFail({ guid });
    await target(Article).save({ ...row, ...change });
  };
  const onTarget = (guid: string) => target(Article).findOneBy({ guid });

  it('reports no conflict where nothing was edited on the target: creates, updates, references, deletes', async () => {
    await start({ policy: 'hold' });
    const article = await staged();
    const sport = await source(Category).save({ code: 'sport', name: 'Sport' });
    for (const [index, title] of ['v2', 'v3', 'v4'].entries()) {
      article.title = title;
      article.views = index + 10;
      article.category = index === 1 ? sport : article.category;
      await source(Article).save(article);
      if (index !== 0) await sync();
    }
    await source(Article).update({ guid: 'a-1' }, { body: 'updated by query' });
    await source(Category).save({
      code: 'news',
      name: 'News, renamed',
      id: (await source(Category).findOneByOrFail({ code: 'news' })).id,
    });
    expect(await sync()).toMatchObject({ failed: 0, conflicts: 0 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'v4', body: 'updated by query', views: 12 });
    await source(Article).remove(await source(Article).findOneByOrFail({ guid: 'a-1' }));
    expect(await sync()).toMatchObject({ failed: 0, conflicts: 0 });
    expect(await onTarget('a-1')).toBeNull();
    expect(await allConflicts()).toEqual([]);
  });

  it('overwrite applies the task, keeps the overwritten state in the record, and --take target restores it', async () => {
    await start({ policy: 'overwrite' });
    const article = await staged();
    await editOnTarget('a-1', { title: 'fixed at night' });
    article.body = 'body 2';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ applied: 1, conflicts: 0, skipped: 0 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'v1', body: 'body 2' });
    const [conflict] = await allConflicts();
    expect(conflict).toMatchObject({
      kind: 'changed',
      policy: 'overwrite',
      status: 'resolved',
      outcome: 'overwritten',
    });
    expect(JSON.parse(conflict.target!)).toMatchObject({ title: 'fixed at night', body: 'body 1' });
    expect(JSON.parse(conflict.base!)).toMatchObject({ title: 'v1', body: 'body 1' });

    const restored = await conflicts().resolve(conflict.id, 'target', 'editor');
    expect(restored).toMatchObject({ outcome: 'took-target', resolvedBy: 'editor' });
    expect(await onTarget('a-1')).toMatchObject({ title: 'fixed at night', body: 'body 1' });
    await expect(conflicts().resolve(conflict.id, 'source')).rejects.toMatchObject({
      code: 'CONFLICT_RESOLVED',
    });

    // Undoable only while no later task of the object has come: undoing then would overwrite that task's change.
    await editOnTarget('a-1', { title: 'edited here again' });
    article.body = 'body 3';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ applied: 1 });
    const [second] = await allConflicts();
    article.views = 6;
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ applied: 1 });
    await expect(conflicts().resolve(second.id, 'target')).rejects.toThrow(/superseded: a later task/);
    expect(await onTarget('a-1')).toMatchObject({ body: 'body 3', views: 6 });
  });

  it('keep-target answers the task skipped with the reason; the target keeps its edit and the row leaves the queue', async () => {
    await start({ policy: 'overwrite', objectTypes: { 'cms.article': 'keep-target' } });
    const article = await staged();
    await editOnTarget('a-1', { title: 'target title' });
    article.title = 'source title';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ applied: 0, skipped: 1, conflicts: 0 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'target title' });
    expect(await pending()).toEqual([]);
    expect(await allConflicts()).toEqual([
      expect.objectContaining({ outcome: 'kept-target', policy: 'keep-target' }),
    ]);

    // Taking the source afterwards applies the task the policy skipped.
    const [conflict] = await allConflicts();
    await conflicts().resolve(conflict.id, 'source');
    expect(await onTarget('a-1')).toMatchObject({ title: 'source title' });
  });

  it('hold answers conflict: the task waits, other objects go on, and resolving releases it', async () => {
    await start({ policy: 'hold' });
    const article = await staged('a-1');
    await staged('a-2');
    await editOnTarget('a-1', { title: 'target title' });
    article.title = 'source title';
    await source(Article).save(article);
    const other = await source(Article).findOneByOrFail({ guid: 'a-2' });
    other.title = 'a-2 changed';
    await source(Article).save(other);
    const runner = new StagingTaskRunner(pair!.server.id, { get: (id) => pair!.source.kernel.get(id) });

    expect(await sync()).toMatchObject({ conflicts: 1, applied: 1 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'target title', body: 'body 1' });
    expect(await onTarget('a-2')).toMatchObject({ title: 'a-2 changed' });
    const [waiting] = await pending();
    expect(waiting).toMatchObject({ objectKey: 'cms.article:a-1', attempts: 0, status: 'pending' });
    expect(waiting.lastError).toMatch(
      /holds the task: CONFLICT: cms\.article 'a-1' was changed on the target .*conflicts resolve \d+/,
    );
    const [first] = await conflicts().list({ status: 'open' });
    expect(first).toMatchObject({ kind: 'changed', outcome: 'held', status: 'open' });
    expect(await conflicts().openCount()).toBe(1);
    const metrics = async () => (await fetch(`${pair!.target.url}/metrics`)).text();
    expect(await metrics()).toMatch(/^syncbus_staging_conflicts_open 1$/m);
    expect(await metrics()).toMatch(/^syncbus_staging_conflicts_total\{source="source",outcome="held"\} 1$/m);

    // Sent again before anyone resolved it: the same conflict, still held.
    expect(await runner.runSynchronization(undefined, { dueNow: true })).toMatchObject({ conflicts: 1 });
    expect(await allConflicts()).toHaveLength(1);

    // A newer edit at the source replaces the held task (collapsing): its conflict holds now, the first is superseded.
    article.body = 'later body';
    await source(Article).save(article);
    expect(await runner.runSynchronization(undefined, { dueNow: true })).toMatchObject({ conflicts: 1 });
    const [latest, superseded] = await allConflicts();
    expect(superseded).toMatchObject({ id: first.id, outcome: 'superseded', status: 'resolved' });
    expect(latest).toMatchObject({ outcome: 'held', status: 'open' });
    await expect(conflicts().resolve(first.id, 'source')).rejects.toMatchObject({
      code: 'CONFLICT_RESOLVED',
    });

    await conflicts().resolve(latest.id, 'source', 'editor');
    expect(await onTarget('a-1')).toMatchObject({ title: 'source title', body: 'later body' });
    expect(await runner.runSynchronization(undefined, { dueNow: true })).toMatchObject({
      duplicates: 1,
      conflicts: 0,
    });
    expect(await pending()).toEqual([]);
    expect(await conflicts().openCount()).toBe(0);
    expect(await metrics()).toMatch(/^syncbus_staging_conflicts_open 0$/m);
  });

  it('merge takes fields changed on one side from that side, and holds when one field changed on both', async () => {
    await start({ policy: 'merge' });
    const article = await staged();
    await editOnTarget('a-1', { body: 'target body' });
    article.title = 'source title';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ applied: 1, conflicts: 0 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'source title', body: 'target body' });
    expect(await allConflicts()).toEqual([expect.objectContaining({ outcome: 'merged' })]);

    // Both sides change the title: a clash, held; resolving with a merge takes the target's body, the source's title.
    await editOnTarget('a-1', { title: 'target title', views: 99 });
    article.title = 'another source title';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ conflicts: 1 });
    const [held] = await conflicts().list({ status: 'open' });
    await conflicts().resolve(held.id, 'merged');
    expect(await onTarget('a-1')).toMatchObject({
      title: 'another source title',
      body: 'target body',
      views: 99,
    });
  });

  it('a delete meets an edit on the target, and an update meets a delete on the target', async () => {
    await start({ policy: 'hold' });
    await staged('a-1');
    const second = await staged('a-2');
    await editOnTarget('a-1', { title: 'kept alive here' });
    await source(Article).remove(await source(Article).findOneByOrFail({ guid: 'a-1' }));
    await target(Article).delete({ guid: 'a-2' });
    second.title = 'edited at the source';
    await source(Article).save(second);
    expect(await sync()).toMatchObject({ conflicts: 2 });
    const kinds = (await conflicts().list({ status: 'open' })).map((c: StagingConflict) => [
      c.objectGuid,
      c.taskType,
      c.kind,
    ]);
    expect(kinds.sort()).toEqual([
      ['a-1', 'delete', 'changed'],
      ['a-2', 'update', 'deleted-on-target'],
    ]);
    expect(await onTarget('a-1')).toMatchObject({ title: 'kept alive here' });
    expect(await onTarget('a-2')).toBeNull();
    await expect(
      conflicts().resolve(
        (await conflicts().list({ status: 'open' })).find((c) => c.objectGuid === 'a-2')!.id,
        'merged',
      ),
    ).rejects.toMatchObject({ code: 'MERGE_IMPOSSIBLE' });
  });

  it('a create that finds the object created here too is a conflict, unless the content is the same', async () => {
    await start({ policy: 'keep-target' });
    const news = await source(Category).save({ code: 'news', name: 'News' });
    await target(Category).save({ code: 'news', name: 'News' }); // same content: no conflict
    await target(Article).save({ guid: 'a-1', title: 'written here first', body: '', views: 0 });
    await source(Article).save({
      guid: 'a-1',
      title: 'written at the source',
      body: '',
      views: 0,
      category: news,
    });
    expect(await sync()).toMatchObject({ applied: 1, skipped: 1 });
    expect(await allConflicts()).toEqual([
      expect.objectContaining({ objectGuid: 'a-1', kind: 'created-on-both', outcome: 'kept-target' }),
    ]);
  });

  it('without a base (the target was filled another way) an update applies as Kentico does; the base starts there', async () => {
    await start({ policy: 'hold' });
    const article = await staged();
    await pair!.target.storage.dataSource.query('DELETE FROM staging_object_base');
    await editOnTarget('a-1', { title: 'edited here' });
    article.body = 'from the source';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ applied: 1, conflicts: 0 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'v1', body: 'from the source' });
    // From now on the base is known again: the next edit here is detected.
    await editOnTarget('a-1', { title: 'edited here again' });
    article.body = 'again from the source';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ conflicts: 1 });
  });

  it("a conflict handler resolves programmatically, and after fires with the record's outcome", async () => {
    await start({ policy: 'hold' });
    const events = pair!.target.kernel.get(StagingEvents);
    events.conflict.before.add((args) => {
      // "The target's edit wins when it changed the title."
      if (args.target && args.base && args.target.title !== args.base.title) args.resolution = 'target';
    });
    const seen: unknown[] = [];
    const subscription = events.conflict.after.subscribe((args) =>
      seen.push([args.kind, args.outcome, typeof args.conflictId]),
    );
    const article = await staged();
    await editOnTarget('a-1', { title: 'the target wins' });
    article.title = 'the source loses';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ skipped: 1, conflicts: 0 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'the target wins' });
    expect(await allConflicts()).toEqual([
      expect.objectContaining({ outcome: 'took-target', resolvedBy: 'handler' }),
    ]);
    expect(seen).toEqual([['changed', 'took-target', 'number']]);
    subscription.unsubscribe();
  });

  it("a newer task settled by a handler supersedes the older task's held conflict", async () => {
    await start({ policy: 'hold' });
    let takeSource = false;
    pair!.target.kernel.get(StagingEvents).conflict.before.add((args) => {
      if (takeSource) args.resolution = 'source';
    });
    const article = await staged();
    await editOnTarget('a-1', { title: 'target title' });
    article.title = 'first source title';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ conflicts: 1 });
    const [held] = await conflicts().list({ status: 'open' });
    takeSource = true;
    article.title = 'second source title';
    await source(Article).save(article); // replaces the held task (collapsing)
    const runner = new StagingTaskRunner(pair!.server.id, { get: (id) => pair!.source.kernel.get(id) });
    expect(await runner.runSynchronization(undefined, { dueNow: true })).toMatchObject({ applied: 1 });
    expect(await conflicts().openCount()).toBe(0);
    expect((await allConflicts()).find((c) => c.id === held.id)).toMatchObject({ outcome: 'superseded' });
    expect(await onTarget('a-1')).toMatchObject({ title: 'second source title' });
  });

  it('a source that is not a peer cannot say what the target holds: its base is not taken', async () => {
    await start({ policy: 'hold' });
    await staged();
    await editOnTarget('a-1', { title: 'target title' });
    const { storage, kernel } = pair!.source;
    await storage.transaction((manager) =>
      kernel.get(StagingTaskLogger).logTask(
        {
          taskType: 'update',
          snapshot: { objectType: 'cms.article', objectGuid: 'a-1', data: { title: 'forced' } },
        },
        { manager, afterCommit: () => undefined },
        { base: null },
      ),
    );
    expect(await sync()).toMatchObject({ conflicts: 1 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'target title' });
  });

  it('a held object can still be referenced: a new article pointing at a held category applies', async () => {
    await start({ policy: 'hold' });
    const news = await source(Category).save({ code: 'news', name: 'News' });
    expect(await sync()).toMatchObject({ applied: 1 });
    await target(Category).update({ code: 'news' }, { name: 'News (edited here)' });
    await source(Category).save({ ...news, name: 'News, renamed' });
    await source(Article).save({ guid: 'a-9', title: 'points at news', body: '', views: 0, category: news });
    expect(await sync()).toMatchObject({ conflicts: 1, applied: 1 });
    const applied = await target(Article).findOneOrFail({
      where: { guid: 'a-9' },
      relations: { category: true },
    });
    expect(applied.category).toMatchObject({ code: 'news', name: 'News (edited here)' });
  });

  it('a record of a type this node no longer stages: taking the target resolves it, taking the source says why not', async () => {
    await start({ policy: 'hold' });
    const article = await staged();
    await editOnTarget('a-1', { title: 'target title' });
    article.title = 'source title';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ conflicts: 1 });
    // As if the type had left the target's model since: the record names a type the node does not know.
    await pair!.target.storage.dataSource.query("UPDATE staging_conflict SET object_type = 'legacy.gone'");
    const [held] = await conflicts().list({ status: 'open' });
    await expect(conflicts().resolve(held.id, 'source')).rejects.toMatchObject({
      code: 'UNKNOWN_OBJECT_TYPE',
    });
    await expect(conflicts().resolve(held.id, 'merged')).rejects.toMatchObject({
      code: 'UNKNOWN_OBJECT_TYPE',
    });
    expect(await conflicts().resolve(held.id, 'target')).toMatchObject({ outcome: 'took-target' });
    // The task is done: the source's next delivery of it is a duplicate.
    const runner = new StagingTaskRunner(pair!.server.id, { get: (id) => pair!.source.kernel.get(id) });
    expect(await runner.runSynchronization(undefined, { dueNow: true })).toMatchObject({ duplicates: 1 });
  });

  it('detect: false turns detection off: the target is overwritten and nothing is recorded', async () => {
    await start({ detect: false, policy: 'hold' });
    const article = await staged();
    await editOnTarget('a-1', { title: 'lost' });
    article.body = 'body 2';
    await source(Article).save(article);
    expect(await sync()).toMatchObject({ applied: 1, conflicts: 0 });
    expect(await onTarget('a-1')).toMatchObject({ title: 'v1', body: 'body 2' });
    expect(await allConflicts()).toEqual([]);
  });
});
