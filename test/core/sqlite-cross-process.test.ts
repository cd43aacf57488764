// Two processes on one SQLite file (a CLI command next to a running node): a transaction that reads and then
// writes must not fail because the other wrote in between. SQLite answers SQLITE_BUSY at once, without waiting,
// to a deferred transaction whose snapshot went stale; the node's transactions take the write lock at BEGIN.
import Database from 'better-sqlite3';
import { createLogger, Kernel, Storage } from '@syncbus/core';
import { StagingModule } from '@syncbus/staging';
import { Article, contentModel } from '../support/content-model';
import { tempSqliteUrl } from '../support/temp-sqlite';

describe('a SQLite transaction next to another process', () => {
  let kernel: Kernel | undefined;
  afterAll(() => kernel?.stop());

  it('holds the write lock from BEGIN, so the other process waits instead of making it fail', async () => {
    const url = tempSqliteUrl('cross-process');
    kernel = await Kernel.boot({
      config: { database: { url } },
      modules: [StagingModule],
      ...contentModel,
      logger: createLogger({ level: 'silent' }),
    });
    const storage = kernel.get(Storage);
    await storage.dataSource.getRepository(Article).save({ guid: 'x-0', title: 'before' });
    // The other process: its own connection, which does not wait for locks.
    const other = new Database(url.slice('sqlite:'.length), { timeout: 0 });
    try {
      let refused: unknown;
      await storage.transaction(async (manager) => {
        await manager.getRepository(Article).findOneBy({ guid: 'x-0' }); // read first, as most updates do
        try {
          other.prepare(`INSERT INTO article (guid, title) VALUES ('x-other', 'other')`).run();
        } catch (error) {
          refused = error;
        }
        await manager.getRepository(Article).save({ guid: 'x-1', title: 'mine' });
      });
      expect(String(refused)).toMatch(/database is locked|SQLITE_BUSY/);
      // Once the transaction committed, the other process writes as usual.
      other.prepare(`INSERT INTO article (guid, title) VALUES ('x-other', 'other')`).run();
      const guids = (await storage.dataSource.getRepository(Article).find()).map((a) => a.guid).sort();
      expect(guids).toEqual(['x-0', 'x-1', 'x-other']);
    } finally {
      other.close();
    }
  });
});
