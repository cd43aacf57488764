// SQLite's WAL checkpoints run in a background thread, not inside the commits of the node: real files, a real
// worker thread, the database file observed from the file system.
import { Kernel, Storage } from '@syncbus/core';
import { SqliteCheckpointer } from '@syncbus/core/internal';
import { existsSync, statSync } from 'node:fs';
import { captureLogger } from '../support/captured-logger';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { until } from '../support/until';
import { noteModules } from './note-fixture';

describe('SQLite background checkpoint', () => {
  let kernel: Kernel | undefined;
  afterEach(async () => {
    await kernel?.stop();
    kernel = undefined;
  });

  const boot = async (checkpointIntervalMs: number) => {
    const url = tempSqliteUrl('checkpoint');
    kernel = await Kernel.boot({
      config: { database: { url, checkpointIntervalMs } },
      modules: noteModules,
      logger: captureLogger('warn').logger,
    });
    return { file: url.slice('sqlite:'.length), storage: kernel.get(Storage) };
  };
  // About 2 MB of rows in one transaction: far below the safety-net threshold (`SqliteCheckpointer.safetyNetPages`, 100,000 pages).
  const writeRows = (storage: Storage) =>
    storage.transaction(async (manager) => {
      for (let i = 0; i < 200; i++)
        await manager.query('INSERT INTO note (guid, title, body, "createdAt") VALUES (?, ?, ?, ?)', [
          `guid-${i}`,
          `title ${i}`,
          'x'.repeat(10_000),
          new Date().toISOString(),
        ]);
    });

  it('copies committed pages into the database file on its timer, without a commit doing it', async () => {
    const { file, storage } = await boot(20);
    expect(storage.sqlite?.db.pragma('wal_autocheckpoint', { simple: true })).toBe(
      SqliteCheckpointer.safetyNetPages,
    );
    const before = statSync(file).size;
    await writeRows(storage);
    // The node's connection would not checkpoint 2 MB by itself: only the background thread grows the file.
    await until(() => statSync(file).size > before + 1_500_000, 'the database file to receive the WAL pages');
    const report = await storage.sqlite!.checkpointer!.checkpoint();
    expect(report.busy).toBe(0);
    expect(report.checkpointed).toBe(report.log);
  });

  it('checkpoints on request and reports the frames; stopping the node ends the thread and removes the WAL', async () => {
    const { file, storage } = await boot(60_000);
    await writeRows(storage);
    const report = await storage.sqlite!.checkpointer!.checkpoint();
    expect(report.log).toBeGreaterThan(400);
    expect(report.checkpointed).toBe(report.log);
    expect(existsSync(`${file}-wal`)).toBe(true);
    await kernel!.stop();
    kernel = undefined;
    // The node's connection closed last, so SQLite checkpointed everything and removed the WAL file.
    expect(existsSync(`${file}-wal`)).toBe(false);
    await expect(storage.sqlite!.checkpointer!.checkpoint()).rejects.toThrow(/checkpointer has stopped/);
  });

  it('leaves checkpoints to SQLite when the interval is 0', async () => {
    const { storage } = await boot(0);
    expect(storage.sqlite?.checkpointer).toBeUndefined();
    expect(storage.sqlite?.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
