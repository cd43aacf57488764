import { Kernel } from '../kernel/kernel';
import { Storage } from '../storage/storage';
import { withSqlTransaction } from '../storage/sql-executor';
import type { RetryPolicy } from './backoff';
import { LeaseQueue, type ClaimedBatch, type ClaimedSynchronization } from './lease-queue';
import type { QueueBatch } from './queue-batch';
import { QueueWorker, type WorkerPassOptions } from './queue-worker';
import { bootQueueKernel, enqueueRows, Q_TABLE } from '../../../../test/support/queue-tables';

/** Failed rows back off 30-60 s after their first attempt; a target's first outage lasts 30-60 s, its second 60-120 s. */
const retry: RetryPolicy = { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 600_000 };

/** A synchronization row as stored. */
interface StoredRow {
  id: number;
  taskId: number;
  objectKey: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets whatever is ready run (promise callbacks and I/O callbacks), without waiting for any time to pass. */
async function yieldTurns(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('QueueWorker (SQLite)', () => {
  let kernel: Kernel;
  let storage: Storage;
  let queue: LeaseQueue;
  /** How far the queue's clock runs ahead of Date.now() (the worker's own clock): time passing within a pass. */
  let skew = 0;
  let worker: QueueWorker;

  beforeEach(async () => {
    skew = 0;
    kernel = await bootQueueKernel();
    storage = kernel.get(Storage);
    // The worker and its batches time outages and given-back rows by Date.now(), so the queue's clock is that one.
    queue = new LeaseQueue(storage, Q_TABLE, () => Date.now() + skew);
    worker = new QueueWorker(queue);
  });
  afterEach(() => kernel.stop());

  /** Logs one task per object key for `server`, in order; returns the new task ids. */
  function enqueue(server: number, keys: readonly string[]): Promise<number[]> {
    return enqueueRows(
      storage,
      keys.map((key) => [server, key] as const),
    );
  }

  /** The target's rows as stored, in task order. */
  async function stored(server = 1): Promise<StoredRow[]> {
    const rows = await withSqlTransaction(storage, (sql) =>
      sql.all<Record<string, unknown>>(
        `SELECT id, task_id, object_key, status, attempts, next_attempt_at, last_error, lease_owner,
                lease_expires_at FROM q_sync WHERE server_id = ? ORDER BY task_id`,
        [server],
      ),
    );
    return rows.map((r) => ({
      id: Number(r.id),
      taskId: Number(r.task_id),
      objectKey: String(r.object_key),
      status: String(r.status),
      attempts: Number(r.attempts),
      nextAttemptAt: Number(r.next_attempt_at),
      lastError: r.last_error === null ? null : String(r.last_error),
      leaseOwner: r.lease_owner === null ? null : String(r.lease_owner),
      leaseExpiresAt: r.lease_expires_at === null ? null : Number(r.lease_expires_at),
    }));
  }

  async function storedTasks(): Promise<number[]> {
    const rows = await withSqlTransaction(storage, (sql) =>
      sql.all<{ id: number }>('SELECT id FROM q_task ORDER BY id'),
    );
    return rows.map((r) => Number(r.id));
  }

  /** The rows each claim of the queue leased, recorded as the worker receives them (the real claim runs). */
  function recordClaims(): ClaimedSynchronization[][] {
    const claims: ClaimedSynchronization[][] = [];
    const claimBatch = queue.claimBatch.bind(queue);
    jest.spyOn(queue, 'claimBatch').mockImplementation(async (options): Promise<ClaimedBatch> => {
      const claimed = await claimBatch(options);
      claims.push(claimed.rows);
      return claimed;
    });
    return claims;
  }

  function passOptions(
    process: WorkerPassOptions['process'],
    options: Partial<WorkerPassOptions> = {},
  ): WorkerPassOptions {
    return { targetId: 1, limit: 3, leaseMs: 30_000, retry, process, ...options };
  }

  const taskIdsOf = (rows: readonly { taskId: number }[]) => rows.map((r) => r.taskId);

  /** A `process` that completes every row of its batch, recording the task ids it saw. */
  function completeAll(seen: number[][] = []) {
    return {
      seen,
      process: async (batch: QueueBatch) => {
        seen.push(taskIdsOf(batch.rows));
        for (const row of batch.rows) batch.complete(row.id);
      },
    };
  }

  it('drains a backlog in batches of `limit`, in logged order, deleting completed rows and their tasks', async () => {
    await enqueue(1, ['a', 'b', 'a', 'c', 'b', 'd', 'a']);
    const [otherTask] = await enqueue(2, ['a']);
    const { seen, process } = completeAll();

    const result = await worker.pass(passOptions(process));

    expect(seen).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(result.claimed).toBe(7);
    expect(result.down).toBeUndefined();
    expect(await stored(1)).toEqual([]);
    // The other target's row and its task are untouched.
    expect(await storedTasks()).toEqual([otherTask]);
    expect(await stored(2)).toMatchObject([{ taskId: otherTask, leaseOwner: null, attempts: 0 }]);
  });

  it('gives back the rows `process` records nothing for: lease cleared, due now, attempts unchanged', async () => {
    await enqueue(1, ['a', 'b', 'c']);
    await withSqlTransaction(storage, (sql) => sql.run('UPDATE q_sync SET attempts = 2 WHERE task_id = 2'));
    const before = Date.now();

    const result = await worker.pass(
      passOptions(
        async (batch) => {
          batch.complete(batch.rows[0].id);
        },
        { maxBatches: 1 },
      ),
    );
    const after = Date.now();

    expect(result.claimed).toBe(3);
    const rows = await stored();
    expect(rows).toMatchObject([
      { taskId: 2, status: 'pending', attempts: 2, lastError: null, leaseOwner: null, leaseExpiresAt: null },
      { taskId: 3, status: 'pending', attempts: 0, lastError: null, leaseOwner: null, leaseExpiresAt: null },
    ]);
    for (const row of rows) {
      expect(row.nextAttemptAt).toBeGreaterThanOrEqual(before);
      expect(row.nextAttemptAt).toBeLessThanOrEqual(after);
    }
    // Due now: the next claim takes them at once.
    expect(taskIdsOf(await queue.claim({ targetId: 1, owner: 'other', limit: 10, leaseMs: 1000 }))).toEqual([
      2, 3,
    ]);
  });

  it('a failure counts an attempt and keeps its error; the object is held back for the rest of the pass', async () => {
    // tasks 1..5: objects a, b, a, c, d
    await enqueue(1, ['a', 'b', 'a', 'c', 'd']);
    const claims = recordClaims();
    const seen: number[][] = [];
    const heldInProcess: number[] = [];
    const before = Date.now();

    const result = await worker.pass(
      passOptions(async (batch) => {
        seen.push(taskIdsOf(batch.rows));
        for (const row of batch.rows) {
          if (batch.heldBack(row)) heldInProcess.push(row.taskId);
          else if (row.objectKey === 'a') batch.fail(row, { error: 'a refused' });
          else batch.complete(row.id);
        }
        // After the first batch the failed row's backoff passes while the pass goes on: it is due again.
        if (seen.length === 1)
          return () => {
            skew = 2 * retry.maxDelayMs;
          };
      }),
    );

    // Batch 1: task 1 fails, task 3 (same object, same batch) is held back, task 2 completes.
    expect(seen[0]).toEqual([1, 2, 3]);
    expect(heldInProcess).toEqual([3]);
    // Batch 2 claims the failed task 1 again with task 3, but both stay held: `process` sees only task 4.
    expect(taskIdsOf(claims[1])).toEqual([1, 3, 4]);
    expect(seen[1]).toEqual([4]);
    // Batch 3 likewise: only task 5 (object d) goes on; a 4th claim finds only held rows and ends the pass.
    expect(taskIdsOf(claims[2])).toEqual([1, 3, 5]);
    expect(seen[2]).toEqual([5]);
    expect(taskIdsOf(claims[3])).toEqual([1, 3]);
    expect(seen).toHaveLength(3);
    expect(claims).toHaveLength(4);
    expect(result.claimed).toBe(3 + 3 + 3 + 2);

    const rows = await stored();
    // Objects b, c, d went on; object a is still waiting, its failure counted once, its later row never attempted.
    expect(rows).toMatchObject([
      { taskId: 1, status: 'pending', attempts: 1, lastError: 'a refused', leaseOwner: null },
      { taskId: 3, status: 'pending', attempts: 0, lastError: null, leaseOwner: null },
    ]);
    for (const row of rows) {
      expect(row.nextAttemptAt).toBeGreaterThanOrEqual(before);
      expect(row.nextAttemptAt).toBeLessThanOrEqual(Date.now());
    }
  });

  it('a failure backs off the failed row by the retry policy, and the same pass does not claim past it', async () => {
    await enqueue(1, ['a', 'b', 'a', 'c']);
    const { seen, process: complete } = completeAll();
    const before = Date.now();

    const result = await worker.pass(
      passOptions(
        async (batch) => {
          if (seen.length === 0) {
            seen.push(taskIdsOf(batch.rows));
            batch.fail(batch.rows[0], { error: 'a refused' });
            batch.complete(batch.rows[1].id);
            return;
          }
          await complete(batch);
        },
        { limit: 2 },
      ),
    );

    // Task 3 (object a) waits behind the failed task 1: the pass goes on with task 4 only.
    expect(seen).toEqual([[1, 2], [4]]);
    expect(result.claimed).toBe(3);
    const rows = await stored();
    expect(rows).toMatchObject([
      { taskId: 1, status: 'pending', attempts: 1, lastError: 'a refused', leaseOwner: null },
      { taskId: 3, status: 'pending', attempts: 0, lastError: null, leaseOwner: null, nextAttemptAt: 0 },
    ]);
    // First attempt's backoff: between half of and the whole base delay.
    expect(rows[0].nextAttemptAt).toBeGreaterThanOrEqual(before + retry.baseDelayMs / 2);
    expect(rows[0].nextAttemptAt).toBeLessThanOrEqual(Date.now() + retry.baseDelayMs);
  });

  it('a target down puts the batch off, stops the pass, grows its backoff, and is over once the target answers', async () => {
    // tasks 1..6: objects a..f
    await enqueue(1, ['a', 'b', 'c', 'd', 'e', 'f']);
    const claims = recordClaims();

    // Pass 1: task 1 completes, then the target fails as a whole.
    const returned: number[] = [];
    const processed: number[][] = [];
    const before1 = Date.now();
    const first = await worker.pass(
      passOptions(async (batch) => {
        processed.push(taskIdsOf(batch.rows));
        batch.complete(batch.rows[0].id);
        returned.push(batch.targetDown('connection refused'));
      }),
    );
    const [until1] = returned;
    expect(until1).toBeGreaterThan(Date.now());
    expect(until1).toBeGreaterThanOrEqual(before1 + retry.baseDelayMs / 2);
    expect(first).toEqual({
      claimed: 3,
      down: { reason: 'connection refused', until: until1 },
      next: undefined,
    });
    // The pass stopped: one claim, one batch, though tasks 4..6 are due.
    expect(claims).toHaveLength(1);
    expect(processed).toEqual([[1, 2, 3]]);
    expect(worker.outages.failures(1)).toBe(1);
    let rows = await stored();
    expect(rows).toMatchObject([
      { taskId: 2, attempts: 0, lastError: 'connection refused', nextAttemptAt: until1, leaseOwner: null },
      { taskId: 3, attempts: 0, lastError: 'connection refused', nextAttemptAt: until1, leaseOwner: null },
      { taskId: 4, attempts: 0, lastError: null, nextAttemptAt: 0, leaseOwner: null },
      { taskId: 5, attempts: 0, lastError: null, nextAttemptAt: 0, leaseOwner: null },
      { taskId: 6, attempts: 0, lastError: null, nextAttemptAt: 0, leaseOwner: null },
    ]);

    // Pass 2: the target is still down; its second outage in a row backs off longer (60-120 s).
    const before2 = Date.now();
    const second = await worker.pass(
      passOptions(
        async (batch) => {
          processed.push(taskIdsOf(batch.rows));
          returned.push(batch.targetDown('still refused'));
        },
        { limit: 2 },
      ),
    );
    const until2 = returned[1];
    expect(processed[1]).toEqual([4, 5]);
    expect(second.down).toEqual({ reason: 'still refused', until: until2 });
    expect(worker.outages.failures(1)).toBe(2);
    expect(until2).toBeGreaterThanOrEqual(before2 + retry.baseDelayMs);
    rows = await stored();
    expect(rows.slice(2)).toMatchObject([
      { taskId: 4, attempts: 0, lastError: 'still refused', nextAttemptAt: until2, leaseOwner: null },
      { taskId: 5, attempts: 0, lastError: 'still refused', nextAttemptAt: until2, leaseOwner: null },
      { taskId: 6, attempts: 0, lastError: null, nextAttemptAt: 0, leaseOwner: null },
    ]);

    // Pass 3: only task 6 is due; the target answers it, so the outage is over and what it put off is due now.
    const before3 = Date.now();
    const third = await worker.pass(
      passOptions(
        async (batch) => {
          processed.push(taskIdsOf(batch.rows));
          batch.heard();
          for (const row of batch.rows) batch.complete(row.id);
        },
        { maxBatches: 1 },
      ),
    );
    const after3 = Date.now();
    expect(processed[2]).toEqual([6]);
    expect(third.down).toBeUndefined();
    expect(worker.outages.failures(1)).toBe(0);
    rows = await stored();
    expect(rows).toMatchObject([
      { taskId: 2, status: 'pending', attempts: 0, lastError: 'connection refused', leaseOwner: null },
      { taskId: 3, status: 'pending', attempts: 0, lastError: 'connection refused', leaseOwner: null },
      { taskId: 4, status: 'pending', attempts: 0, lastError: 'still refused', leaseOwner: null },
      { taskId: 5, status: 'pending', attempts: 0, lastError: 'still refused', leaseOwner: null },
    ]);
    for (const row of rows) {
      expect(row.nextAttemptAt).toBeGreaterThanOrEqual(before3);
      expect(row.nextAttemptAt).toBeLessThanOrEqual(after3);
    }
  });

  it('only a batch the target answered ends an outage: completing rows it sent nothing for does not', async () => {
    await enqueue(1, ['a', 'b', 'c']);
    await worker.pass(
      passOptions(async (batch) => void batch.targetDown('connection refused'), { limit: 1 }),
    );
    expect(worker.outages.failures(1)).toBe(1);
    const putOff = (await stored())[0].nextAttemptAt;
    expect(putOff).toBeGreaterThan(Date.now());

    // Rows whose tasks are gone are completed without a request: the target said nothing.
    await worker.pass(
      passOptions(
        async (batch) => {
          for (const row of batch.rows) batch.complete(row.id);
        },
        { limit: 1, maxBatches: 1 },
      ),
    );
    expect(worker.outages.failures(1)).toBe(1);
    expect((await stored())[0]).toMatchObject({ taskId: 1, nextAttemptAt: putOff });

    // A request that went through, though every task in it was held (a conflict), ends it.
    await worker.pass(
      passOptions(
        async (batch) => {
          batch.heard();
          for (const row of batch.rows) batch.postpone([row.id], Date.now() + 3_600_000, 'held');
        },
        { limit: 1, maxBatches: 1 },
      ),
    );
    expect(worker.outages.failures(1)).toBe(0);
    expect((await stored())[0].nextAttemptAt).toBeLessThanOrEqual(Date.now());
  });

  it('a target that answers and then goes down in one batch starts its backoff again from the first outage', async () => {
    await enqueue(1, ['a', 'b', 'c', 'd']);
    for (let i = 0; i < 2; i++)
      await worker.pass(
        passOptions(async (batch) => void batch.targetDown('unavailable'), { limit: 1, maxBatches: 1 }),
      );
    expect(worker.outages.failures(1)).toBe(2);
    await worker.pass(
      passOptions(
        async (batch) => {
          batch.heard();
          batch.complete(batch.rows[0].id);
          batch.targetDown('unavailable again');
        },
        { limit: 2, maxBatches: 1, taskIds: [3, 4] },
      ),
    );
    // Answered, so the count started again; down again, so this is its first outage in a row.
    expect(worker.outages.failures(1)).toBe(1);
  });

  it('a target down waits at least until `notBefore` (a Retry-After), and a second call keeps the first time', async () => {
    await enqueue(1, ['a', 'b']);
    const retryAfter = Date.now() + 10 * retry.maxDelayMs;
    const returned: number[] = [];
    const result = await worker.pass(
      passOptions(async (batch) => {
        returned.push(batch.targetDown('429 Too Many Requests', retryAfter));
        returned.push(batch.targetDown('429 Too Many Requests'));
      }),
    );
    expect(returned).toEqual([retryAfter, retryAfter]);
    expect(result.down).toEqual({ reason: '429 Too Many Requests', until: retryAfter });
    // One outage, however often the batch says so.
    expect(worker.outages.failures(1)).toBe(1);
    expect(await stored()).toMatchObject([
      {
        taskId: 1,
        nextAttemptAt: retryAfter,
        lastError: '429 Too Many Requests',
        attempts: 0,
        leaseOwner: null,
      },
      {
        taskId: 2,
        nextAttemptAt: retryAfter,
        lastError: '429 Too Many Requests',
        attempts: 0,
        leaseOwner: null,
      },
    ]);
  });

  describe("the settle's extra work (`alsoInSettle`)", () => {
    beforeEach(() => withSqlTransaction(storage, (sql) => sql.run('CREATE TABLE scratch (note TEXT)')));

    async function notes(): Promise<string[]> {
      const rows = await withSqlTransaction(storage, (sql) =>
        sql.all<{ note: string }>('SELECT note FROM scratch ORDER BY rowid'),
      );
      return rows.map((r) => r.note);
    }

    it("commits with the settle, inside the settle's transaction", async () => {
      await enqueue(1, ['a', 'b']);
      const seenInside: number[] = [];
      const result = await worker.pass(
        passOptions(async (batch) => {
          const ids = batch.rows.map((r) => r.id);
          for (const id of ids) batch.complete(id);
          batch.alsoInSettle(async (sql) => {
            // The settle's own deletes, not committed yet, are visible: the same transaction.
            const [{ n }] = await sql.all<{ n: number }>(
              `SELECT COUNT(*) AS n FROM q_sync WHERE id ${sql.in(ids)}`,
              sql.inParams(ids),
            );
            seenInside.push(Number(n));
            await sql.run('INSERT INTO scratch (note) VALUES (?)', [`settled ${ids.join(',')}`]);
          });
        }),
      );
      expect(result.claimed).toBe(2);
      expect(seenInside).toEqual([0]);
      expect(await notes()).toEqual(['settled 1,2']);
      expect(await stored()).toEqual([]);
    });

    it('rolls the settle back when it throws, and the pass rejects with its error', async () => {
      await enqueue(1, ['a', 'b']);
      const claims = recordClaims();
      await expect(
        worker.pass(
          passOptions(async (batch) => {
            for (const row of batch.rows) batch.complete(row.id);
            batch.alsoInSettle(async (sql) => {
              await sql.run('INSERT INTO scratch (note) VALUES (?)', ['should roll back']);
              throw new Error('conflict base not written');
            });
          }),
        ),
      ).rejects.toThrow('conflict base not written');
      // Neither the completions nor the extra write committed; no further batch was claimed.
      expect(await notes()).toEqual([]);
      expect(taskIdsOf(await stored())).toEqual([1, 2]);
      expect(await storedTasks()).toEqual([1, 2]);
      expect(claims).toHaveLength(1);
      expect((await stored()).every((r) => r.attempts === 0 && r.status === 'pending')).toBe(true);
    });

    // Nothing of a failed settle commits: the rows must not wait out their leases, holding their objects back.
    it('gives the batch back when the settle throws (not left leased)', async () => {
      await enqueue(1, ['a', 'b']);
      await expect(
        worker.pass(
          passOptions(async (batch) => {
            for (const row of batch.rows) batch.complete(row.id);
            batch.alsoInSettle(async () => {
              throw new Error('conflict base not written');
            });
          }),
        ),
      ).rejects.toThrow('conflict base not written');
      expect(await stored()).toMatchObject([
        { taskId: 1, leaseOwner: null, leaseExpiresAt: null },
        { taskId: 2, leaseOwner: null, leaseExpiresAt: null },
      ]);
    });
  });

  it('`process` throwing rejects the pass with its error, settles what it recorded and gives the rest back', async () => {
    await enqueue(1, ['a', 'b', 'c', 'd']);
    const claims = recordClaims();
    const before = Date.now();
    const crash = new Error('connector crashed');

    await expect(
      worker.pass(
        passOptions(async (batch) => {
          batch.complete(batch.rows[0].id);
          throw crash;
        }),
      ),
    ).rejects.toBe(crash);

    expect(claims).toHaveLength(1);
    const rows = await stored();
    // Task 1 was recorded before the throw and went; tasks 2 and 3 went back, due now; task 4 was never claimed.
    expect(rows).toMatchObject([
      { taskId: 2, status: 'pending', attempts: 0, lastError: null, leaseOwner: null, leaseExpiresAt: null },
      { taskId: 3, status: 'pending', attempts: 0, lastError: null, leaseOwner: null, leaseExpiresAt: null },
      { taskId: 4, status: 'pending', attempts: 0, lastError: null, leaseOwner: null, nextAttemptAt: 0 },
    ]);
    for (const row of rows.slice(0, 2)) {
      expect(row.nextAttemptAt).toBeGreaterThanOrEqual(before);
      expect(row.nextAttemptAt).toBeLessThanOrEqual(Date.now());
    }
  });

  it('`maxBatches: 1` ends the pass after one batch', async () => {
    await enqueue(1, ['a', 'b', 'c', 'd', 'e']);
    const claims = recordClaims();
    const { seen, process } = completeAll();

    const result = await worker.pass(passOptions(process, { limit: 2, maxBatches: 1 }));

    expect(seen).toEqual([[1, 2]]);
    expect(claims).toHaveLength(1);
    expect(result.claimed).toBe(2);
    expect(await stored()).toMatchObject([
      { taskId: 3, leaseOwner: null, nextAttemptAt: 0 },
      { taskId: 4, leaseOwner: null, nextAttemptAt: 0 },
      { taskId: 5, leaseOwner: null, nextAttemptAt: 0 },
    ]);
  });

  it('an aborted signal claims no further batch; the batch in hand is settled', async () => {
    await enqueue(1, ['a', 'b', 'c', 'd']);
    const claims = recordClaims();
    const abort = new AbortController();
    const result = await worker.pass(
      passOptions(
        async (batch) => {
          for (const row of batch.rows) batch.complete(row.id);
          abort.abort();
        },
        { limit: 2, signal: abort.signal },
      ),
    );
    expect(claims).toHaveLength(1);
    expect(result.claimed).toBe(2);
    expect(taskIdsOf(await stored())).toEqual([3, 4]);
  });

  it('`lanes: 2` works on two batches at once, never with rows of one object in both, in order per object', async () => {
    // tasks 1..8: objects a, a, b, a, c, b, d, a
    const keys = ['a', 'a', 'b', 'a', 'c', 'b', 'd', 'a'];
    await enqueue(1, keys);
    const bothInFlight = gate();
    const inFlight = new Set<readonly ClaimedSynchronization[]>();
    let calls = 0;
    let mostInFlight = 0;
    const overlaps: string[] = [];
    const order = new Map<string, number[]>();

    const result = await worker.pass(
      passOptions(
        async (batch) => {
          calls += 1;
          const mine = new Set(batch.rows.map((r) => r.objectKey));
          for (const other of inFlight)
            for (const row of other) if (mine.has(row.objectKey)) overlaps.push(row.objectKey);
          inFlight.add(batch.rows);
          mostInFlight = Math.max(mostInFlight, inFlight.size);
          // The first batch cannot finish until the second has started: the pass completes only if the two
          // lanes' `process` calls are in flight together.
          if (calls === 2) bothInFlight.open();
          if (calls <= 2) await bothInFlight.promise;
          for (const row of batch.rows) {
            order.set(row.objectKey, [...(order.get(row.objectKey) ?? []), row.taskId]);
            batch.complete(row.id);
          }
          inFlight.delete(batch.rows);
        },
        { limit: 2, lanes: 2 },
      ),
    );

    expect(mostInFlight).toBe(2);
    expect(overlaps).toEqual([]);
    expect(result.claimed).toBe(8);
    expect(Object.fromEntries(order)).toEqual({ a: [1, 2, 4, 8], b: [3, 6], c: [5], d: [7] });
    expect(await stored()).toEqual([]);
  });

  it('`stop()` waits for the pass in hand, then releases every lease; a pass after it claims nothing', async () => {
    await enqueue(1, ['a', 'b', 'c', 'd']);
    const [elsewhere] = await enqueue(2, ['x']);
    // A lease the worker holds outside this pass (as a settle that threw leaves one).
    await queue.claim({ targetId: 2, owner: worker.owner, limit: 1, leaseMs: 60_000 });
    const entered = gate();
    const release = gate();
    let stopDone = false;
    let leaseAtRelease: string | null | undefined;
    let stopDoneAtRelease: boolean | undefined;
    const processed: number[][] = [];

    const pass = worker.pass(
      passOptions(
        async (batch) => {
          processed.push(taskIdsOf(batch.rows));
          entered.open();
          await release.promise;
          stopDoneAtRelease = stopDone;
          leaseAtRelease = (await stored(2))[0].leaseOwner;
          for (const row of batch.rows) batch.complete(row.id);
        },
        { limit: 1 },
      ),
    );
    await entered.promise;
    const stopping = worker.stop().then(() => (stopDone = true));
    expect(worker.stopping).toBe(true);
    await yieldTurns();
    expect(stopDone).toBe(false);
    release.open();
    const result = await pass;
    await stopping;

    // `stop()` had not finished (nor released anything) while the batch was in hand.
    expect(stopDoneAtRelease).toBe(false);
    expect(leaseAtRelease).toBe(worker.owner);
    // The pass ended after its batch: tasks 2..4 were due but not claimed.
    expect(processed).toEqual([[1]]);
    expect(result.claimed).toBe(1);
    const leased = await withSqlTransaction(storage, (sql) =>
      sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM q_sync WHERE lease_owner IS NOT NULL'),
    );
    expect(Number(leased[0].n)).toBe(0);
    expect(await stored(2)).toMatchObject([{ taskId: elsewhere, leaseOwner: null, leaseExpiresAt: null }]);

    const claims = recordClaims();
    const late = await worker.pass(passOptions(async () => void processed.push([])));
    expect(late.claimed).toBe(0);
    expect(claims).toHaveLength(0);
    expect(processed).toEqual([[1]]);
    expect(await stored()).toMatchObject([
      { taskId: 2, leaseOwner: null, nextAttemptAt: 0 },
      { taskId: 3, leaseOwner: null, nextAttemptAt: 0 },
      { taskId: 4, leaseOwner: null, nextAttemptAt: 0 },
    ]);
  });

  it("runs `process`'s `after` once the batch is settled (its rows already gone)", async () => {
    await enqueue(1, ['a', 'b', 'c']);
    const events: string[] = [];
    const settleBatch = queue.settleBatch.bind(queue);
    jest.spyOn(queue, 'settleBatch').mockImplementation(async (...args) => {
      const settled = await settleBatch(...args);
      events.push('settled');
      return settled;
    });
    let rowsWhenAfterRan: Promise<StoredRow[]> | undefined;

    await worker.pass(
      passOptions(
        async (batch) => {
          events.push('process');
          batch.complete(batch.rows[0].id);
          batch.complete(batch.rows[1].id);
          return () => {
            events.push('after');
            rowsWhenAfterRan = stored();
          };
        },
        { maxBatches: 1 },
      ),
    );

    expect(events).toEqual(['process', 'settled', 'after']);
    // Read as `after` ran: tasks 1 and 2 were already deleted, task 3 already given back.
    expect(await rowsWhenAfterRan).toMatchObject([{ taskId: 3, leaseOwner: null }]);
  });

  it('renews the leases of a batch by heartbeat while `process` works', async () => {
    await enqueue(1, ['a']);
    const renewed = gate();
    const heartbeat = queue.heartbeat.bind(queue);
    jest.spyOn(queue, 'heartbeat').mockImplementation(async (...args) => {
      const held = await heartbeat(...args);
      renewed.open();
      return held;
    });
    const leases: (number | null)[] = [];

    await worker.pass(
      passOptions(
        async (batch) => {
          leases.push((await stored())[0].leaseExpiresAt);
          // Every leaseMs / 3 (here the floor, 50 ms): awaited, not slept for.
          await renewed.promise;
          leases.push((await stored())[0].leaseExpiresAt);
          batch.complete(batch.rows[0].id);
        },
        { leaseMs: 150 },
      ),
    );

    expect(leases[1]).toBeGreaterThan(leases[0]!);
    expect(await stored()).toEqual([]);
  });
});
