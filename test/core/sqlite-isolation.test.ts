// One SQLite connection, many async callers: each transaction commits or rolls back alone, and work outside a
// transaction never slips into someone else's open one.
import { Kernel, Storage } from '@syncbus/core';
import { withSqlRead, WriteGate } from '@syncbus/core/internal';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { captureLogger } from '../support/captured-logger';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { Note, noteModules } from './note-fixture';

/** A promise and its resolver, to order concurrent work by conditions instead of sleeps. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every other queued callback run, so interleaving gets every chance to happen. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

const note = (guid: string) => ({ guid, title: guid, createdAt: new Date() });

describe('SQLite transaction isolation (one connection, WriteGate)', () => {
  let kernel: Kernel;
  let storage: Storage;

  const guids = async () =>
    (
      await kernel
        .get(DataSource)
        .getRepository(Note)
        .find({ order: { guid: 'ASC' } })
    ).map((n) => n.guid);

  beforeEach(async () => {
    kernel = await Kernel.boot({
      config: { database: { url: tempSqliteUrl('isolation') } },
      modules: noteModules,
      logger: captureLogger('warn').logger,
    });
    storage = kernel.get(Storage);
  });
  afterEach(() => kernel.stop());

  const committing = (prefix: string) =>
    storage.transaction(async (manager) => {
      await manager.insert(Note, note(`${prefix}-1`));
      await yieldToOthers();
      await manager.insert(Note, note(`${prefix}-2`));
      return prefix;
    });
  const rollingBack = (prefix: string) =>
    storage.transaction(async (manager) => {
      await manager.insert(Note, note(`${prefix}-1`));
      await yieldToOthers();
      throw new Error(`${prefix} changed its mind`);
    });

  it('a concurrent transaction that rolls back loses only its own rows, whichever starts first', async () => {
    const [a, b] = await Promise.allSettled([committing('a'), rollingBack('b')]);
    expect(a).toEqual({ status: 'fulfilled', value: 'a' });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'b changed its mind' } });

    const [c, d] = await Promise.allSettled([rollingBack('c'), committing('d')]);
    expect(c.status).toBe('rejected');
    expect(d).toEqual({ status: 'fulfilled', value: 'd' });

    expect(await guids()).toEqual(['a-1', 'a-2', 'd-1', 'd-2']);
  });

  it('many overlapping transactions: exactly the committed ones persist, and none interleaves with another', async () => {
    const journal: string[] = [];
    const run = (i: number) =>
      storage.transaction(async (manager: EntityManager) => {
        journal.push(`begin ${i}`);
        await manager.insert(Note, note(`t${String(i).padStart(2, '0')}-1`));
        await yieldToOthers();
        await manager.insert(Note, note(`t${String(i).padStart(2, '0')}-2`));
        journal.push(`end ${i}`);
        if (i % 3 === 0) throw new Error(`rollback ${i}`);
      });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => run(i)));

    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 'rejected' : 'fulfilled')),
    );
    const expected = Array.from({ length: 12 }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .flatMap((i) => [`t${String(i).padStart(2, '0')}-1`, `t${String(i).padStart(2, '0')}-2`]);
    expect(await guids()).toEqual(expected);
    // Serialized, in arrival order: begin i is always followed by end i.
    expect(journal).toEqual(Array.from({ length: 12 }, (_, i) => [`begin ${i}`, `end ${i}`]).flat());
  });

  /**
   * Holds a transaction open (one row written), runs `outside` from another caller, and rolls the transaction
   * back once `outside` either finished or is waiting at the write gate.
   */
  async function outsideWhileOpen<T>(outside: () => Promise<T>): Promise<T> {
    const gate = storage.sqlite!.gate;
    const written = deferred();
    const rollBack = deferred();
    const open = storage.transaction(async (manager) => {
      await manager.insert(Note, note('doomed'));
      written.resolve();
      await rollBack.promise;
      throw new Error('rolled back on purpose');
    });
    await written.promise;
    const queued = deferred();
    const acquire = jest.spyOn(gate, 'acquire').mockImplementation(function (this: WriteGate) {
      queued.resolve();
      return WriteGate.prototype.acquire.call(this);
    });
    try {
      const result = outside();
      await Promise.race([result, queued.promise]);
      rollBack.resolve();
      await expect(open).rejects.toThrow('rolled back on purpose');
      return await result;
    } finally {
      acquire.mockRestore();
    }
  }

  it('a write outside any transaction, made while another transaction is open, survives that rollback', async () => {
    await outsideWhileOpen(() => kernel.get(DataSource).getRepository(Note).insert(note('independent')));
    expect(await guids()).toEqual(['independent']);
  });

  it('a read outside the open transaction never sees its uncommitted rows', async () => {
    const seen = await outsideWhileOpen(() => kernel.get(DataSource).getRepository(Note).count());
    expect(seen).toBe(0);
  });

  it('the raw hot path (gate + better-sqlite3) and TypeORM transactions take turns', async () => {
    const { db, gate } = storage.sqlite!;
    const raw = gate.run(async () => {
      db.exec('BEGIN IMMEDIATE');
      db.prepare(
        `INSERT INTO note (guid, title, body, revision, pinned, createdAt) VALUES ('raw', 'raw', '', 0, 0, '2026-01-01 00:00:00.000')`,
      ).run();
      await yieldToOthers();
      db.exec('ROLLBACK');
    });
    const [rawResult, orm] = await Promise.allSettled([raw, committing('orm')]);
    expect(rawResult.status).toBe('fulfilled');
    expect(orm.status).toBe('fulfilled');
    expect(await guids()).toEqual(['orm-1', 'orm-2']);
  });

  it('withSqlRead reads the last commit while a transaction is open, without waiting for it, and cannot write', async () => {
    await committing('before');
    const inside = deferred();
    const release = deferred();
    const open = storage.transaction(async (manager) => {
      await manager.insert(Note, note('uncommitted'));
      inside.resolve();
      await release.promise;
    });
    await inside.promise;
    // The writer holds the gate: a read through it would wait for `release`, and one on its connection would see
    // the uncommitted row.
    const seen = await withSqlRead(storage, (sql) =>
      sql.all<{ guid: string }>('SELECT guid FROM note ORDER BY guid'),
    );
    expect(seen.map((r) => r.guid)).toEqual(['before-1', 'before-2']);
    await expect(withSqlRead(storage, (sql) => sql.run('DELETE FROM note'))).rejects.toThrow(/reads only/);
    release.resolve();
    await open;
    const after = await withSqlRead(storage, (sql) => sql.all<{ guid: string }>('SELECT guid FROM note'));
    expect(after).toHaveLength(3);
  });
});
