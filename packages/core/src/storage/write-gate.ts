// One caller at a time on a SQLite connection: a FIFO async lock with a bounded wait.
import { SyncbusError } from '../errors';

/**
 * better-sqlite3 is one connection; two async transactions on it would interleave into one SQLite
 * transaction, and a statement run while another caller's transaction is open would join it. Every transaction
 * (TypeORM's and the raw hot paths') and every statement TypeORM runs outside a transaction takes this gate first.
 * An uncontended acquire costs no timer.
 */
export class WriteGate {
  private held = false;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(private readonly maxWaitMs: number) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Callers queued behind the holder. */
  get queueLength(): number {
    return this.waiting.length;
  }

  /** Waits for the gate; resolves with the function that releases it (call it exactly once; later calls do nothing). */
  acquire(): Promise<() => void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(
          new SyncbusError(
            'WRITE_LOCK_TIMEOUT',
            `Waited ${this.maxWaitMs} ms for the SQLite write lock. Inside a transaction, run every query through ` +
              'the EntityManager it was given, not the DataSource or a repository of it: those wait for the ' +
              'transaction to end.',
          ),
        );
      }, this.maxWaitMs);
      this.waiting.push(waiter);
    });
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

  /** Hands the gate to the next waiter (it stays held), or frees it. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.held = false;
    };
  }
}
