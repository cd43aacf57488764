// Moves SQLite's WAL checkpoints off the committing transaction: a worker thread checkpoints on a timer.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logging/logger';

/** What one `PRAGMA wal_checkpoint(PASSIVE)` reported: frames in the WAL, and how many are now in the database. */
export interface CheckpointResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/**
 * With SQLite's automatic checkpoint, the commit that crosses the threshold copies the WAL into the database file
 * and fsyncs it, inside the host's transaction: 5-20 ms on an ordinary disk, the whole p99 of a logged change.
 * Here a second connection in a worker thread runs PASSIVE checkpoints every `intervalMs`. PASSIVE never waits for
 * readers or writers and a checkpointer never blocks them, so commits only append to the WAL. The node's own
 * connection keeps a raised automatic threshold as a safety net should the worker fall behind.
 */
export class SqliteCheckpointer {
  /**
   * The node connection's automatic threshold, in pages, while a checkpointer runs (SQLite's default is 1000).
   * Under steady writes a passive checkpoint copies the log but never lets it restart (a writer is always past
   * it), so the log restarts only when a commit crosses this threshold. Set low, that commit also copies what
   * the worker has not reached yet: at 10,000 pages (40 MB) a drain spent half its time in such commits and ran
   * 0.74x as fast from a 1,000,000-task backlog as from a 100,000 one; at 100,000 pages (about 400 MB of log
   * under a sustained drain, none when idle) 0.82-0.88x, and faster at both sizes (docs/benchmark.md).
   */
  static readonly safetyNetPages = 100_000;
  /** Size, in bytes, the log file is cut back to when it restarts (`journal_size_limit`): 64 MiB. */
  static readonly journalSizeLimitBytes = 64 * 2 ** 20;

  private readonly pending = new Map<
    number,
    { resolve(r: CheckpointResult): void; reject(e: Error): void }
  >();
  private nextRequest = 1;
  private warned = false;
  private exited = false;
  private stopping?: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: Logger,
  ) {
    worker.on('message', (message: WorkerReply) => {
      if (message.kind === 'failed' && message.id === 0) return this.warnOnce(message.error);
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.kind === 'failed') waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    worker.on('error', (error) => this.warnOnce(error.message));
    worker.on('exit', () => {
      this.exited = true;
      for (const waiter of this.pending.values())
        waiter.reject(new Error('The SQLite checkpointer has stopped.'));
      this.pending.clear();
    });
  }

  /** Opens the worker's connection to `file` and starts the timer. */
  static start(
    file: string,
    options: { intervalMs: number; busyTimeoutMs: number; logger: Logger },
  ): SqliteCheckpointer {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: require.resolve('better-sqlite3'),
        file,
        intervalMs: options.intervalMs,
        busyTimeoutMs: options.busyTimeoutMs,
      },
    });
    // A node that forgets to stop must still be able to exit.
    worker.unref();
    return new SqliteCheckpointer(worker, options.logger);
  }

  /** Runs one checkpoint now (for tests and operators); the timer goes on as before. */
  checkpoint(): Promise<CheckpointResult> {
    if (this.exited || this.stopping)
      return Promise.reject(new Error('The SQLite checkpointer has stopped.'));
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'checkpoint', id });
    });
  }

  /** Closes the worker's connection and ends the thread; the node's own connection, closed last, checkpoints fully. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      // Referenced again while it closes: otherwise a process with nothing else to do exits before the reply.
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ kind: 'close', id: 0 });
    });
    return this.stopping;
  }

  private warnOnce(error: string): void {
    if (this.warned) return;
    this.warned = true;
    // Not fatal: the node's own connection still checkpoints at the safety-net threshold.
    this.logger.warn(
      { error },
      'the background SQLite checkpoint failed; commits will checkpoint themselves',
    );
  }
}

type WorkerReply =
  { kind: 'done'; id: number; result: CheckpointResult } | { kind: 'failed'; id: number; error: string };

// Plain CommonJS run by `eval`, so it works the same from `dist` and from sources under a TypeScript test runner.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
} catch (error) {
  parentPort.postMessage({ kind: 'failed', id: 0, error: error.message });
}
const checkpoint = (id) => {
  if (!db) {
    if (id !== 0) parentPort.postMessage({ kind: 'failed', id, error: 'the checkpointer could not open the database' });
    return;
  }
  try {
    const result = db.pragma('wal_checkpoint(PASSIVE)')[0];
    if (id !== 0) parentPort.postMessage({ kind: 'done', id, result });
  } catch (error) {
    parentPort.postMessage({ kind: 'failed', id, error: error.message });
  }
};
const timer = setInterval(() => checkpoint(0), workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.kind === 'checkpoint') return checkpoint(message.id);
  clearInterval(timer);
  if (db) db.close();
  parentPort.close();
});
`;
