// A real syncbus target node in its own process: the staging receiver route of @syncbus/server, applying
// through core's ObjectApplier into the article table. Reports what it applied when stopped.
import { Kernel, Storage } from '@syncbus/core';
import { withSqlTransaction } from '@syncbus/core/internal';
import { SyncbusHttpServer } from '@syncbus/server';
import { StagingEvents } from '@syncbus/staging';
import type { ChildRole } from '../harness/child-channel';
import { targetNodeOptions } from './syncbus-node-options';

/** Config of the target role. */
export interface SyncbusTargetConfig {
  readonly databaseUrl: string;
  readonly secretEnv: string;
  /** Record when each object was applied (workload 4's end of latency). */
  readonly trackApplied?: boolean;
  /** Conflict detection (default on, as a node has it). */
  readonly conflictDetection?: boolean;
}

export const syncbusTargetRole: ChildRole = async (config: SyncbusTargetConfig, channel) => {
  const kernel = await Kernel.boot(targetNodeOptions(config));
  // processTask.after fires once the task's transaction committed: the object is applied on this node.
  const appliedAt = new Map<string, number>();
  if (config.trackApplied) {
    kernel.get(StagingEvents).processTask.after.subscribe(({ task }) => {
      appliedAt.set(task.objectGuid, performance.timeOrigin + performance.now());
    });
  }
  try {
    channel.ready({ url: kernel.get(SyncbusHttpServer).url });
    await channel.stopped;
    const counts = await withSqlTransaction(kernel.get(Storage), async (sql) => {
      const [articles] = await sql.all<{ n: unknown }>('SELECT COUNT(*) AS n FROM article');
      const [ledger] = await sql.all<{ n: unknown }>('SELECT COUNT(*) AS n FROM staging_received_task');
      const [conflicts] = await sql.all<{ n: unknown }>('SELECT COUNT(*) AS n FROM staging_conflict');
      return { applied: Number(articles.n), ledger: Number(ledger.n), conflicts: Number(conflicts.n) };
    });
    // Every contender creates distinct articles, so applied tasks = article rows = ledger rows, and no task may
    // meet a conflict (nothing is edited on the target).
    return {
      applied: counts.applied,
      duplicates: counts.ledger - counts.applied,
      conflicts: counts.conflicts,
      requests: 0,
      appliedAt,
    };
  } finally {
    await kernel.stop();
  }
};
