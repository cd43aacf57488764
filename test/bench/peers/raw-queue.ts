// The raw contenders' source queue: one SQLite table of task JSON in log order (what a hand-rolled outbox holds).
import Database from 'better-sqlite3';
import { benchTask } from './bench-payloads';

/** Opens (creating) a raw queue database in WAL mode, as a host would run it. */
export function openRawQueue(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return db;
}

/** Appends tasks `0..count-1` of `run` to the queue in one transaction (setup, not timed). */
export function fillRawQueue(db: Database.Database, count: number, run: string): void {
  const insert = db.prepare('INSERT INTO queue (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(JSON.stringify(benchTask(i, run)));
  })();
}
