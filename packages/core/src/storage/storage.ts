// The node's storage: its TypeORM DataSource, transactions, and the raw SQLite handle for measured hot paths.
import type { Database } from 'better-sqlite3';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueueWakeups } from '../queue/queue-wakeups';
import type { SqliteCheckpointer } from './sqlite-checkpointer';
import type { WriteGate } from './write-gate';

/** Which database engine a node stores in. */
export type StorageKind = 'sqlite' | 'postgres';

/** Storage service, bound in the container as `Storage`. */
export class Storage {
  constructor(
    readonly dataSource: DataSource,
    readonly kind: StorageKind,
    /** SQLite only: the one connection and its write gate, for hot paths that drop below the ORM. */
    readonly sqlite?: {
      readonly db: Database;
      readonly gate: WriteGate;
      readonly checkpointer?: SqliteCheckpointer;
      /** A read-only connection to the same file (none for `:memory:`): reads of committed state only. */
      readonly reader?: Database;
    },
    /** The process's listening connection for cross-process wake-ups (PostgreSQL), also bound as `QueueWakeups`. */
    readonly wakeups?: QueueWakeups,
  ) {}

  /**
   * Closes the wake-up connection, stops the background checkpoint and the read connection, then closes the
   * DataSource (on SQLite the last close checkpoints fully).
   */
  async close(): Promise<void> {
    await this.wakeups?.close();
    await this.sqlite?.checkpointer?.stop();
    this.sqlite?.reader?.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** Runs `fn` in one transaction (on SQLite, serialized with every other transaction of the node). */
  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }
}
