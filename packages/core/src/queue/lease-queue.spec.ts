import { Kernel } from '../kernel/kernel';
import { Storage } from '../storage/storage';
import { withSqlTransaction } from '../storage/sql-executor';
import { LeaseQueue } from './lease-queue';
import { bootQueueKernel, enqueueRows, Q_TABLE } from '../../../../test/support/queue-tables';

const policy = { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000 };

describe('LeaseQueue (SQLite)', () => {
  let kernel: Kernel;
  let queue: LeaseQueue;
  let now = 1_000_000;

  beforeEach(async () => {
    now = 1_000_000;
    kernel = await bootQueueKernel();
    const storage = kernel.get(Storage);
    queue = new LeaseQueue(storage, Q_TABLE, () => now);
    // tasks 1..4: objects a, b, a, c for server 1; task 5 for server 2
    await enqueueRows(storage, [
      [1, 'a'],
      [1, 'b'],
      [1, 'a'],
      [1, 'c'],
      [2, 'a'],
    ]);
  });
  afterEach(() => kernel.stop());

  it('claims in task order, never twice while leased, and again after the lease expires', async () => {
    const first = await queue.claim({ targetId: 1, owner: 'n1', limit: 2, leaseMs: 100 });
    expect(first.map((r) => r.taskId)).toEqual([1, 2]);
    // task 3 is object a, held back behind task 1's lease; task 4 is free
    const second = await queue.claim({ targetId: 1, owner: 'n2', limit: 10, leaseMs: 100 });
    expect(second.map((r) => r.taskId)).toEqual([4]);
    now += 101;
    const third = await queue.claim({ targetId: 1, owner: 'n2', limit: 10, leaseMs: 100 });
    expect(third.map((r) => r.taskId)).toEqual([1, 2, 3, 4]);
  });

  it('counts unexpired leases by the process holding them (lease owners of one process, summed)', async () => {
    await queue.claim({ targetId: 1, owner: 'web-1:41:aaaa', limit: 1, leaseMs: 100 });
    await queue.claim({ targetId: 1, owner: 'web-1:41:bbbb', limit: 1, leaseMs: 200 });
    await queue.claim({ targetId: 2, owner: 'web-2:7:cccc', limit: 1, leaseMs: 100 });
    expect(await queue.leasesByProcess()).toEqual(
      new Map([
        ['web-1:41', 2],
        ['web-2:7', 1],
      ]),
    );
    now += 150;
    expect(await queue.leasesByProcess()).toEqual(new Map([['web-1:41', 1]]));
  });

  it('completes rows and deletes tasks without rows; ignores rows whose lease was lost', async () => {
    const claimed = await queue.claim({ targetId: 1, owner: 'n1', limit: 1, leaseMs: 100 });
    expect(await queue.complete([claimed[0].id], 'someone-else')).toEqual([]);
    expect(await queue.complete([claimed[0].id], 'n1')).toEqual([claimed[0].id]);
    const storage = kernel.get(Storage);
    const tasks = await withSqlTransaction(storage, (sql) =>
      sql.all<{ id: number }>('SELECT id FROM q_task'),
    );
    expect(tasks.map((t) => t.id)).toEqual([2, 3, 4, 5]);
  });

  it('a failure backs off, holds back only its object, and fails for good after the last attempt', async () => {
    const [row] = await queue.claim({ targetId: 1, owner: 'n1', limit: 1, leaseMs: 100 });
    await queue.fail([{ id: row.id, error: 'target down' }], 'n1', policy);
    const others = await queue.claim({ targetId: 1, owner: 'n1', limit: 10, leaseMs: 100 });
    expect(others.map((r) => r.taskId)).toEqual([2, 4]);
    expect(await queue.nextDueAt(1)).toBeGreaterThan(now);
    now += 1001;
    await queue.complete(
      others.map((r) => r.id),
      'n1',
    );
    const [again] = await queue.claim({ targetId: 1, owner: 'n1', limit: 1, leaseMs: 100 });
    expect(again).toMatchObject({ taskId: 1, attempts: 1 });
    await queue.fail([{ id: again.id, error: 'still down' }], 'n1', policy);
    now += 10_000;
    expect(await queue.claim({ targetId: 1, owner: 'n1', limit: 10, leaseMs: 100 })).toEqual([]);
    expect(await queue.retry([again.id])).toBe(1);
    const retried = await queue.claim({ targetId: 1, owner: 'n1', limit: 10, leaseMs: 100 });
    expect(retried.map((r) => r.taskId)).toEqual([1, 3]);
  });

  it('postpone gives rows back without an attempt, keeps a reason, and holds back the object until due', async () => {
    const [row] = await queue.claim({ targetId: 1, owner: 'n1', limit: 1, leaseMs: 100 });
    await queue.postpone([row.id], 'n1', now + 500, 'connector disabled');
    const storage = kernel.get(Storage);
    const [stored] = await withSqlTransaction(storage, (sql) =>
      sql.all<{ attempts: number; last_error: string }>(
        'SELECT attempts, last_error FROM q_sync WHERE id = ?',
        [row.id],
      ),
    );
    expect(stored).toEqual({ attempts: 0, last_error: 'connector disabled' });
    expect(
      (await queue.claim({ targetId: 1, owner: 'n1', limit: 10, leaseMs: 100 })).map((r) => r.taskId),
    ).toEqual([2, 4]);
    now += 501;
    expect(
      (await queue.claim({ targetId: 1, owner: 'n2', limit: 10, leaseMs: 100 })).map((r) => r.taskId),
    ).toEqual([1, 2, 3, 4]);
  });

  it('with task ids, claims only those, and not past an earlier unrequested row of the same object', async () => {
    expect(
      (await queue.claim({ targetId: 1, owner: 'n1', limit: 10, leaseMs: 100, taskIds: [3, 4] })).map(
        (r) => r.taskId,
      ),
    ).toEqual([4]);
    expect(
      (await queue.claim({ targetId: 1, owner: 'n1', limit: 10, leaseMs: 100, taskIds: [1, 3] })).map(
        (r) => r.taskId,
      ),
    ).toEqual([1, 3]);
  });

  it("deletes orphan tasks in a caller's transaction: only given tasks without rows", async () => {
    const storage = kernel.get(Storage);
    await withSqlTransaction(storage, async (sql) => {
      await sql.run('DELETE FROM q_sync WHERE task_id IN (1, 2)');
      await queue.deleteOrphanTasks(sql, [1, 3, 3, 5]);
    });
    const tasks = await withSqlTransaction(storage, (sql) =>
      sql.all<{ id: number }>('SELECT id FROM q_task ORDER BY id'),
    );
    // 1 had no row left; 2 was not named; 3 and 5 still have rows
    expect(tasks.map((t) => t.id)).toEqual([2, 3, 4, 5]);
  });

  it('removes rows for good, with tasks no other row needs', async () => {
    const storage = kernel.get(Storage);
    const ids = await withSqlTransaction(storage, (sql) =>
      sql.all<{ id: number }>('SELECT id FROM q_sync WHERE task_id IN (1, 5)'),
    );
    expect(await queue.remove(ids.map((r) => r.id))).toBe(2);
    const tasks = await withSqlTransaction(storage, (sql) =>
      sql.all<{ id: number }>('SELECT id FROM q_task ORDER BY id'),
    );
    expect(tasks.map((t) => t.id)).toEqual([2, 3, 4]);
    expect(
      (await queue.claim({ targetId: 1, owner: 'n1', limit: 10, leaseMs: 100 })).map((r) => r.taskId),
    ).toEqual([2, 3, 4]);
  });

  it('retries and removes more rows than SQLite binds parameters in one statement (32,766)', async () => {
    const storage = kernel.get(Storage);
    const [{ id: last }] = await withSqlTransaction(storage, (sql) =>
      sql.all<{ id: number }>('SELECT MAX(id) AS id FROM q_sync'),
    );
    // 40,000 ids: the five real rows among ids that match nothing, as "Delete all" of a large backlog passes.
    const ids = [
      ...Array.from({ length: 40_000 - last }, (_, i) => last + 1 + i),
      ...Array.from({ length: last }, (_, i) => i + 1),
    ];
    expect(await queue.retry(ids)).toBe(5);
    expect(await queue.remove(ids)).toBe(5);
    const tasks = await withSqlTransaction(storage, (sql) =>
      sql.all<{ id: number }>('SELECT id FROM q_task'),
    );
    expect(tasks).toEqual([]);
  });
});
