// Prepares a drain's backlog (untimed, in its own process so the drainer's peak RSS is its own): boots the
// source once (migrations, servers), then writes the pending tasks with raw drivers in large transactions.
import Database from 'better-sqlite3';
import { Kernel } from '@syncbus/core';
import { parseDatabaseUrl } from '@syncbus/core/internal';
import { Client } from 'pg';
import type { ChildRole } from '../harness/child-channel';
import { insertTasksPostgres, insertTasksSqlite } from '../floors/task-rows';
import { benchServerIds, sourceNodeOptions } from './syncbus-node-options';

/** Config of the fill role. */
export interface SyncbusFillConfig {
  readonly databaseUrl: string;
  /** Every task gets a synchronization row for each of these servers. */
  readonly targetUrls: readonly string[];
  readonly secretEnv: string;
  readonly tasks: number;
  readonly run: string;
}

/** Tasks per fill transaction, so a million-task backlog never sits in one transaction's memory. */
const CHUNK = 50_000;

export const syncbusFillRole: ChildRole = async (config: SyncbusFillConfig) => {
  const kernel = await Kernel.boot(
    sourceNodeOptions({
      databaseUrl: config.databaseUrl,
      targetUrls: config.targetUrls,
      secretEnv: config.secretEnv,
    }),
  );
  let serverIds: number[];
  try {
    serverIds = await benchServerIds(kernel);
  } finally {
    await kernel.stop();
  }
  const started = performance.now();
  const target = parseDatabaseUrl(config.databaseUrl);
  if (target.kind === 'sqlite') {
    const db = new Database(target.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    for (let done = 0; done < config.tasks; done += CHUNK) {
      const count = Math.min(CHUNK, config.tasks - done);
      db.transaction(() => insertTasksSqlite(db, count, serverIds, `${config.run}:${done}`))();
    }
    db.close();
  } else {
    const client = new Client({ connectionString: target.url });
    await client.connect();
    try {
      for (let done = 0; done < config.tasks; done += CHUNK) {
        await client.query('BEGIN');
        await insertTasksPostgres(
          client,
          Math.min(CHUNK, config.tasks - done),
          serverIds,
          `${config.run}:${done}`,
        );
        await client.query('COMMIT');
      }
    } finally {
      await client.end();
    }
  }
  return { tasks: config.tasks, ms: performance.now() - started };
};
