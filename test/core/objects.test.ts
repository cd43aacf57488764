// Changes of @SyncObject entities reach listeners inside their transaction, and snapshots apply on another node.
import {
  ChangeCaptureError,
  createLogger,
  inject,
  injectable,
  Kernel,
  Module,
  ObjectApplyError,
  ObjectChangeListener,
  ObjectChanges,
  RegisterModule,
  Storage,
  type ChangeContext,
  type ObjectChange,
} from '@syncbus/core';
import { ObjectApplier } from '@syncbus/core/internal';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryFailedError } from 'typeorm';
import { Article, Category, contentModel } from '../support/content-model';

@injectable()
class RecordingListener implements ObjectChangeListener {
  readonly seen: ObjectChange[] = [];
  readonly committed: ObjectChange[] = [];
  failOn?: string;
  ignoredTypes = new Set<string>();
  wantsChange(objectType: string): boolean {
    return !this.ignoredTypes.has(objectType);
  }
  async onObjectChange(change: ObjectChange, context: ChangeContext): Promise<void> {
    if (change.snapshot.objectGuid === this.failOn) throw new Error('listener refused');
    this.seen.push(change);
    context.afterCommit(() => this.committed.push(change));
  }
}

@RegisterModule({
  providers: [RecordingListener, { provide: ObjectChangeListener, useExisting: RecordingListener }],
})
class RecordingModule extends Module {
  constructor(@inject(RecordingListener) readonly listener: RecordingListener) {
    super('Recording');
  }
}

const boot = () =>
  Kernel.boot({
    config: {
      database: { url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'syncbus-objects-')), 'n.sqlite')}` },
    },
    modules: [RecordingModule],
    ...contentModel,
    logger: createLogger({ level: 'silent' }),
  });

describe('object changes', () => {
  let source: Kernel;
  let target: Kernel;
  beforeEach(async () => {
    [source, target] = await Promise.all([boot(), boot()]);
  });
  afterEach(() => Promise.all([source.stop(), target.stop()]));

  it('captures create, update and delete with references by identity, after commit only', async () => {
    const listener = source.get(RecordingListener);
    const storage = source.get(Storage);
    await storage.transaction(async (manager) => {
      const news = await manager.save(Category, { code: 'news', name: 'News' });
      await manager.save(Article, { guid: 'a-1', title: 'Hello', body: 'x', categoryId: news.id });
    });
    const article = await storage.dataSource.getRepository(Article).findOneByOrFail({ guid: 'a-1' });
    article.title = 'Hello again';
    await storage.dataSource.getRepository(Article).save(article);
    await storage.dataSource.getRepository(Article).remove(article);

    expect(
      listener.committed.map((c) => `${c.taskType} ${c.snapshot.objectType} ${c.snapshot.objectGuid}`),
    ).toEqual([
      'create cms.category news',
      'create cms.article a-1',
      'update cms.article a-1',
      'delete cms.article a-1',
    ]);
    expect(listener.committed[1].snapshot.data).toEqual({
      guid: 'a-1',
      title: 'Hello',
      body: 'x',
      views: 0,
      category: { $ref: { type: 'cms.category', identity: 'news' } },
    });
  });

  it('a throwing listener aborts the change; a rolled-back change never reaches afterCommit', async () => {
    const listener = source.get(RecordingListener);
    listener.failOn = 'bad';
    const repo = source.get(Storage).dataSource.getRepository(Category);
    await expect(repo.save({ code: 'bad', name: 'Bad' })).rejects.toThrow('listener refused');
    expect(await repo.count()).toBe(0);
    await expect(
      source.get(Storage).transaction(async (manager) => {
        await manager.save(Category, { code: 'fine', name: 'Fine' });
        throw new Error('host rolls back');
      }),
    ).rejects.toThrow('host rolls back');
    expect(listener.seen).toHaveLength(1);
    expect(listener.committed).toHaveLength(0);
    expect(await repo.count()).toBe(0);
  });

  it('applies snapshots on another node, translating references to local ids, and logObjectChange works without TypeORM', async () => {
    const listener = source.get(RecordingListener);
    const changes = source.get(ObjectChanges);
    await changes.logObjectChange({ code: 'tech', name: 'Tech' }, 'create', { objectType: 'cms.category' });
    const storage = source.get(Storage);
    await storage.dataSource.getRepository(Category).save({ code: 'tech', name: 'Tech' });
    const techId = (await storage.dataSource.getRepository(Category).findOneByOrFail({ code: 'tech' })).id;
    await storage.dataSource.getRepository(Article).save({ guid: 'a-2', title: 'T', categoryId: techId });

    const applier = target.get(ObjectApplier);
    const targetStorage = target.get(Storage);
    // occupy id 1 on the target so local ids differ between nodes
    await targetStorage.dataSource.getRepository(Category).save({ code: 'local', name: 'Local only' });
    for (const change of listener.committed.slice(1)) {
      await targetStorage.transaction((m) =>
        applier.apply(m, {
          taskType: change.taskType,
          snapshot: change.snapshot,
          origin: { servers: ['source'] },
        }),
      );
    }
    const applied = await targetStorage.dataSource
      .getRepository(Article)
      .findOneOrFail({ where: { guid: 'a-2' }, relations: { category: true } });
    expect(applied.category?.code).toBe('tech');
    expect(applied.categoryId).not.toBe(techId);
    expect(target.get(RecordingListener).committed.map((c) => c.origin?.servers)).toEqual([
      undefined,
      ['source'],
      ['source'],
    ]);

    const unresolved = {
      ...listener.committed[2].snapshot,
      objectGuid: 'a-3',
      data: {
        ...listener.committed[2].snapshot.data,
        guid: 'a-3',
        category: { $ref: { type: 'cms.category', identity: 'nope' } },
      },
    };
    await expect(
      targetStorage.transaction((m) => applier.apply(m, { taskType: 'create', snapshot: unresolved })),
    ).rejects.toThrow(ObjectApplyError);
    await expect(
      targetStorage.transaction((m) =>
        applier.apply(m, {
          taskType: 'update',
          snapshot: { objectType: 'cms.article', objectGuid: 'a-2', data: { views: 'many' } },
        }),
      ),
    ).rejects.toThrow(/views.*must be a number/);
    await expect(
      targetStorage.transaction((m) =>
        applier.apply(m, {
          taskType: 'create',
          snapshot: { objectType: 'cms.page', objectGuid: 'p', data: {} },
        }),
      ),
    ).rejects.toThrow(/cms.page/);
  });

  it('captures update() by criteria as an update of the object it matched, with its stored state', async () => {
    const listener = source.get(RecordingListener);
    const repository = source.get(Storage).dataSource.getRepository(Category);
    await repository.save({ code: 'c-1', name: 'One' });
    await repository.update({ code: 'c-1' }, { name: 'Renamed' });
    expect(listener.committed.map((c) => `${c.taskType} ${c.snapshot.objectGuid}`)).toEqual([
      'create c-1',
      'update c-1',
    ]);
    expect(listener.committed[1].snapshot.data).toEqual({ code: 'c-1', name: 'Renamed' });
  });

  it("forgets after-commit work of a savepoint that rolled back, and keeps the outer transaction's", async () => {
    const listener = source.get(RecordingListener);
    await source.get(Storage).transaction(async (manager) => {
      await manager.save(Category, { code: 'kept', name: 'Kept' });
      await expect(
        manager.transaction(async (inner) => {
          await inner.save(Category, { code: 'undone', name: 'Undone' });
          throw new Error('savepoint rolls back');
        }),
      ).rejects.toThrow('savepoint rolls back');
      await manager.transaction((inner) => inner.save(Category, { code: 'nested', name: 'Nested' }));
      // A released savepoint's work survives a later sibling savepoint that rolls back.
      await expect(
        manager.transaction(async (inner) => {
          await inner.save(Category, { code: 'undone-too', name: 'Undone too' });
          throw new Error('second savepoint rolls back');
        }),
      ).rejects.toThrow('second savepoint rolls back');
    });
    expect(listener.committed.map((c) => c.snapshot.objectGuid)).toEqual(['kept', 'nested']);
    expect(
      (await source.get(Storage).dataSource.getRepository(Category).find()).map((c) => c.code).sort(),
    ).toEqual(['kept', 'nested']);
  });

  it('does not serialize or dispatch a change no listener wants', async () => {
    const listener = source.get(RecordingListener);
    listener.ignoredTypes.add('cms.category');
    const storage = source.get(Storage);
    await storage.transaction(async (manager) => {
      const news = await manager.save(Category, { code: 'quiet', name: 'Quiet' });
      await manager.save(Article, { guid: 'a-9', title: 'Heard', categoryId: news.id });
    });
    expect(listener.seen.map((c) => c.snapshot.objectType)).toEqual(['cms.article']);
  });

  it('a partial save does not clear a reference it did not mention', async () => {
    const listener = source.get(RecordingListener);
    const storage = source.get(Storage);
    const news = await storage.dataSource.getRepository(Category).save({ code: 'p-news', name: 'News' });
    const saved = await storage.dataSource
      .getRepository(Article)
      .save({ guid: 'p-1', title: 'First', categoryId: news.id });
    await storage.dataSource.getRepository(Article).save({ id: saved.id, guid: 'p-1', title: 'Renamed' });
    const update = listener.committed.find((c) => c.taskType === 'update')!;
    expect(update.snapshot.data.title).toBe('Renamed');
    expect(update.snapshot.data.category).toEqual({ $ref: { type: 'cms.category', identity: 'p-news' } });
    // ...and a save that moves it through the foreign key column sends the new reference.
    const tech = await storage.dataSource.getRepository(Category).save({ code: 'p-tech', name: 'Tech' });
    await storage.dataSource.getRepository(Article).save({ id: saved.id, guid: 'p-1', categoryId: tech.id });
    const moved = listener.committed.filter((c) => c.taskType === 'update').pop()!;
    expect(moved.snapshot.data).toMatchObject({
      title: 'Renamed',
      category: { $ref: { type: 'cms.category', identity: 'p-tech' } },
    });
  });
});

describe('writes that cannot become tasks', () => {
  let node: Kernel;
  beforeEach(async () => {
    node = await boot();
  });
  afterEach(() => node.stop());
  const categories = () => node.get(Storage).dataSource.getRepository(Category);

  it('are refused before anything is written, with an error naming the entity, the call and what to do', async () => {
    await expect(
      categories().save({ code: 'quiet', name: 'Quiet' }, { listeners: false }),
    ).rejects.toMatchObject({
      code: 'CAPTURE_LISTENERS_OFF',
      message: expect.stringMatching(/Category.*listeners: false.*leave listeners on/),
    });
    await expect(categories().insert({ name: 'No code' })).rejects.toMatchObject({
      code: 'CAPTURE_NO_IDENTITY',
      message: expect.stringMatching(/insert\(\) of Category: .*identity 'code'/),
    });
    expect(await categories().count()).toBe(0);
    expect(node.get(RecordingListener).committed).toEqual([]);
  });

  it('undo the write when its task cannot be logged, even inside a transaction the host commits', async () => {
    const listener = node.get(RecordingListener);
    await categories().save({ code: 'fragile', name: 'Fragile' });
    listener.failOn = 'fragile';
    let caught: unknown;
    await node.get(Storage).transaction(async (manager) => {
      await manager.save(Category, { code: 'kept', name: 'Kept' });
      try {
        await manager.update(Category, { code: 'fragile' }, { name: 'Renamed' });
      } catch (error) {
        caught = error; // the host swallows it and commits the rest
      }
    });
    expect(caught).toBeInstanceOf(ChangeCaptureError);
    expect(caught).toMatchObject({
      code: 'CAPTURE_FAILED',
      entity: 'Category',
      call: 'update',
      message: expect.stringMatching(/listener refused/),
    });
    expect(await categories().findOneByOrFail({ code: 'fragile' })).toMatchObject({ name: 'Fragile' });
    expect(await categories().findOneByOrFail({ code: 'kept' })).toMatchObject({ name: 'Kept' });
    expect(listener.committed.map((c) => `${c.taskType} ${c.snapshot.objectGuid}`)).toEqual([
      'create fragile',
      'create kept',
    ]);
  });

  it("pass the host's own statement errors through unchanged", async () => {
    await categories().insert({ code: 'twice', name: 'Once' });
    const error = await categories()
      .insert({ code: 'twice', name: 'Twice' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(await categories().count()).toBe(1);
  });
});
