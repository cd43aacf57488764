// Keeps a ledger table (received task guids, kept so a redelivery changes nothing) from growing for ever: a timer
// deletes the rows older than a retention in small batches. Staging's and integration's ledgers share it.
import { SyncbusError } from '../errors';
import type { OnStart, OnStop } from '../kernel/lifecycle-hooks';
import type { Logger } from '../logging/logger';
import { withSqlRead, withSqlTransaction } from '../storage/sql-executor';
import type { Storage } from '../storage/storage';

const DAY_MS = 24 * 60 * 60 * 1000;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Which ledger to prune, and how. */
export interface LedgerRetentionOptions {
  readonly storage: Storage;
  readonly logger: Logger;
  /** The ledger's table; its primary key is an increasing integer `id`. */
  readonly table: string;
  /** The column holding when a row was written, in epoch ms. */
  readonly timeColumn: string;
  /** Rows older than this many days are deleted; 0 keeps every row for ever. */
  readonly retentionDays: number;
  /** How often the timer prunes, in ms; the first prune runs right after `onStart()`. */
  readonly intervalMs: number;
  /** Rows deleted per statement (each in its own short transaction). Default 1000. */
  readonly batchSize?: number;
  readonly now?: () => number;
}

/**
 * Deletes a ledger's rows older than `retentionDays`, by `prune()` or from a timer between `onStart()` and
 * `onStop()` (the kernel calls both for a provider; see `receivedTaskRetentionProvider`).
 * The timer is unref'd (it never keeps a process alive), and a prune that fails is logged and tried again at the
 * next interval. Each batch is one parameterised DELETE in its own transaction, so writers wait for one batch at
 * the most (on SQLite they share one write gate).
 */
export class LedgerRetention implements OnStart, OnStop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  private readonly batchSize: number;

  constructor(private readonly options: LedgerRetentionOptions) {
    for (const name of [options.table, options.timeColumn]) {
      if (!IDENTIFIER.test(name)) {
        throw new SyncbusError(
          'LEDGER_INVALID',
          `'${name}' is not a plain SQL identifier; name the ledger's table and time column in lower case.`,
        );
      }
    }
    this.batchSize = options.batchSize ?? 1000;
  }

  /** Whether rows are ever deleted (`retentionDays` above 0). */
  get enabled(): boolean {
    return this.options.retentionDays > 0;
  }

  /** Starts the timer, with a first prune now; does nothing when retention is off. Idempotent. */
  onStart(): void {
    if (!this.enabled || this.stopped || this.timer) return;
    this.schedule(0);
  }

  /** Stops the timer; a prune in progress ends after its current batch. Safe to call twice. */
  async onStop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Deletes every row older than the retention now; resolves with how many were deleted (0 when off). */
  prune(): Promise<number> {
    return this.deleteOld(() => true);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      const pass = this.deleteOld(() => !this.stopped).catch((error: unknown) => {
        this.options.logger.error(
          { err: error, table: this.options.table },
          `pruning ${this.options.table} failed; it is tried again in ${this.options.intervalMs} ms`,
        );
      });
      this.running = pass.finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.options.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async deleteOld(goOn: () => boolean): Promise<number> {
    if (!this.enabled) return 0;
    const { storage, table, timeColumn } = this.options;
    const cutoff = (this.options.now?.() ?? Date.now()) - this.options.retentionDays * DAY_MS;
    // Ids grow with time, so the old rows sit below the first young one. Bounding the batches by that id keeps
    // each DELETE to an id range instead of a scan of the whole table (no index on the time column is needed);
    // a row written out of order waits for the next prune after the rows before it.
    const [first] = await withSqlRead(storage, (sql) =>
      sql.all<{ id: number }>(`SELECT id FROM ${table} WHERE ${timeColumn} >= ? ORDER BY id LIMIT 1`, [
        cutoff,
      ]),
    );
    // No young row: every row is old, and no bound is passed (it would overflow PostgreSQL's integer id).
    const bound = first ? 'id < ? AND ' : '';
    const params = first ? [Number(first.id), cutoff, this.batchSize] : [cutoff, this.batchSize];
    let deleted = 0;
    for (;;) {
      const count = await withSqlTransaction(storage, (sql) =>
        sql.run(
          `DELETE FROM ${table} WHERE id IN ` +
            `(SELECT id FROM ${table} WHERE ${bound}${timeColumn} < ? ORDER BY id LIMIT ?)`,
          params,
        ),
      );
      deleted += count;
      if (count < this.batchSize || !goOn()) return deleted;
    }
  }
}
