// Workload 4's syncbus side: a host saving articles at a steady rate on a node with the staging auto-sync plugin
// loaded by name (as a host's config does); records each change's commit time, then waits for its queue to empty.
import { Kernel, Storage, type KernelOptions, type ProcessRole } from '@syncbus/core';
import { withSqlTransaction } from '@syncbus/core/internal';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildRole } from '../harness/child-channel';
import { steadyRate } from '../harness/steady-rate';
import { BenchArticle } from '../model/bench-article.entity';
import { articleValues } from '../peers/bench-payloads';
import { sourceNodeOptions } from './syncbus-node-options';

/** The auto-sync plugin package, loaded through its manifest like any host's plugin. */
export const STAGING_AUTOSYNC_PLUGIN = '@syncbus/plugin-staging-autosync';

/** Config of the auto-sync source role. */
export interface SyncbusAutosyncSourceConfig {
  readonly databaseUrl: string;
  readonly targetUrl: string;
  readonly secretEnv: string;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly run: string;
  /** The repository root, where the plugin package is installed. */
  readonly baseDir: string;
  /** `log-only`: a web process that only logs, a separate worker delivers (the PostgreSQL variant). */
  readonly role?: 'all' | 'log-only';
}

/**
 * A source node with the auto-sync plugin loaded by name, in `role`. Two requests in flight (the plugin's default
 * is one): a slow reply (a GC pause on either node) then delays only its own batch, as BullMQ's worker
 * concurrency does for its side of the comparison.
 */
export function autosyncNodeOptions(
  config: { databaseUrl: string; targetUrl: string; secretEnv: string; baseDir: string; leaseMs?: number },
  role: ProcessRole,
  stagingAutoSync: Record<string, unknown>,
): KernelOptions {
  const options = sourceNodeOptions({
    databaseUrl: config.databaseUrl,
    targetUrls: [config.targetUrl],
    secretEnv: config.secretEnv,
    leaseMs: config.leaseMs,
  });
  return {
    ...options,
    baseDir: config.baseDir,
    config: {
      ...options.config,
      role,
      plugins: [STAGING_AUTOSYNC_PLUGIN],
      stagingAutoSync: { maxInFlight: 2, ...stagingAutoSync },
    },
  };
}

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes on one machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export const syncbusAutosyncSourceRole: ChildRole = async (config: SyncbusAutosyncSourceConfig, channel) => {
  const kernel = await Kernel.boot(autosyncNodeOptions(config, config.role ?? 'all', {}));
  try {
    const storage = kernel.get(Storage);
    const total = config.ratePerSecond * config.seconds;
    const committedAt = new Float64Array(total);
    const guids: string[] = [];
    channel.ready();
    await channel.nextGo();
    await steadyRate(config.ratePerSecond, total, async (i) => {
      const values = articleValues(i, config.run);
      guids[i] = values.guid;
      await storage.transaction((manager) => manager.save(BenchArticle, values));
      committedAt[i] = epochNow();
    });
    // Bounded wait for the plugin to deliver everything (delivered rows are deleted).
    const until = Date.now() + 60_000;
    for (;;) {
      const [row] = await withSqlTransaction(storage, (sql) =>
        sql.all<{ n: unknown }>('SELECT COUNT(*) AS n FROM staging_synchronization'),
      );
      if (Number(row.n) === 0) break;
      if (Date.now() > until) throw new Error(`${row.n} tasks still pending 60 s after the last change`);
      await sleep(20);
    }
    return { committedAt, guids };
  } finally {
    await kernel.stop();
  }
};
