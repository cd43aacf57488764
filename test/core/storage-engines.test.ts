// The same entity and the same migration work on both engines the kernel supports: SQLite and PostgreSQL.
import { Kernel, Storage } from '@syncbus/core';
import { DataSource } from 'typeorm';
import { captureLogger } from '../support/captured-logger';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { CreateNoteTable1700000000000, Note, noteModules } from './note-fixture';

describeEachEngine(['sqlite', 'postgres'] as const)('storage on %s', (kind) => {
  let kernel: Kernel | undefined;
  let postgres: TestDatabase | undefined;

  beforeAll(async () => {
    let url: string;
    if (kind === 'postgres') {
      postgres = await requireTestDatabase('core_storage');
      url = postgres.url;
    } else {
      url = tempSqliteUrl('engines');
    }
    kernel = await Kernel.boot({
      config: { database: { url } },
      modules: noteModules,
      logger: captureLogger('warn').logger,
    });
  });
  afterAll(async () => {
    await kernel?.stop();
    await postgres?.drop();
  });

  it('creates the table by migration (not synchronize) and records it', async () => {
    const dataSource = kernel!.get(DataSource);
    expect(kernel!.get(Storage).kind).toBe(kind);
    expect(dataSource.options.synchronize).toBe(false);
    expect(await dataSource.showMigrations()).toBe(false);
    const applied = await dataSource.query(`SELECT name FROM migrations`);
    expect(applied.map((m: { name: string }) => m.name)).toEqual([new CreateNoteTable1700000000000().name]);
    const runner = dataSource.createQueryRunner();
    try {
      const table = await runner.getTable('note');
      expect(table?.columns.map((c) => c.name).sort()).toEqual(
        ['body', 'createdAt', 'guid', 'id', 'pinned', 'revision', 'tags', 'title'].sort(),
      );
    } finally {
      await runner.release();
    }
  });

  it('round-trips every column type of the entity, then updates and deletes it', async () => {
    const storage = kernel!.get(Storage);
    const createdAt = new Date(Date.UTC(2026, 10, 28, 9, 30, 15, 123));
    const written = {
      guid: '0b7a3c1e-2f4d-4e5a-9b6c-7d8e9f0a1b2c',
      title: 'Grüße, "quotes" & ünïcödé ✓',
      body: "line one\nline two with 'apostrophes'\ttab",
      revision: 7,
      pinned: true,
      tags: ['news', 'front page'],
      createdAt,
    };
    const saved = await storage.transaction((manager) => manager.save(manager.create(Note, written)));
    expect(saved.id).toEqual(expect.any(Number));

    const read = await kernel!.get(DataSource).getRepository(Note).findOneByOrFail({ guid: written.guid });
    expect(read).toEqual({ id: saved.id, ...written });
    expect(read.createdAt).toBeInstanceOf(Date);
    expect(read.createdAt.getTime()).toBe(createdAt.getTime());

    await storage.transaction((manager) =>
      manager.update(Note, { id: saved.id }, { pinned: false, tags: null, revision: 8 }),
    );
    const updated = await kernel!.get(DataSource).getRepository(Note).findOneByOrFail({ id: saved.id });
    expect(updated).toMatchObject({ pinned: false, tags: null, revision: 8, title: written.title });

    await storage.transaction((manager) => manager.delete(Note, { id: saved.id }));
    expect(await kernel!.get(DataSource).getRepository(Note).countBy({ guid: written.guid })).toBe(0);
  });

  it('applies column defaults from the migration and enforces its unique index', async () => {
    const repository = kernel!.get(DataSource).getRepository(Note);
    await repository.insert({ guid: 'defaults', title: 'only required fields', createdAt: new Date() });
    expect(await repository.findOneByOrFail({ guid: 'defaults' })).toMatchObject({
      body: '',
      revision: 0,
      pinned: false,
      tags: null,
    });
    await expect(
      repository.insert({ guid: 'defaults', title: 'duplicate', createdAt: new Date() }),
    ).rejects.toThrow();
  });

  it('reverts the migration with its down()', async () => {
    const dataSource = kernel!.get(DataSource);
    await dataSource.undoLastMigration({ transaction: 'each' });
    const runner = dataSource.createQueryRunner();
    try {
      expect(await runner.hasTable('note')).toBe(false);
    } finally {
      await runner.release();
    }
    expect(await dataSource.showMigrations()).toBe(true);
  });
});
