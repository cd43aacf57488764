// One writer at a time on a SQLite connection: a FIFO async lock with a bounded wait.
import { SyncbusError } from '../errors';

/**
 * better-sqlite3 is one connection; two async transactions on it would interleave into one SQLite
 * transaction. Every transaction (TypeORM's and the raw hot paths') takes this gate first.
 */
export class WriteGate {
  private tail: Promise<void> = Promise.resolve();
  private held = false;

  constructor(private readonly maxWaitMs: number) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Waits for the gate; resolves with the function that releases it (call it exactly once). */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SyncbusError(
              'WRITE_LOCK_TIMEOUT',
              `Waited ${this.maxWaitMs} ms for the SQLite write lock. A transaction started inside another ` +
                'transaction must use the EntityManager it was given, not the DataSource.',
            ),
          ),
        this.maxWaitMs,
      );
    });
    try {
      await Promise.race([previous, timeout]);
    } catch (error) {
      // Keep the queue intact: whoever waits behind us waits for our predecessor instead.
      previous.then(release, release);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held = false;
      release();
    };
  }

  /** Runs `fn` holding the gate. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
