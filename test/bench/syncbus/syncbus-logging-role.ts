// Workloads 1, 2 and 6 on the syncbus side: a real node with staging and 3 enabled servers, logging through the
// public API (`ObjectChanges.logObjectChange`), and a host saving through TypeORM with and without staging.
import { Kernel, ObjectChanges, Storage } from '@syncbus/core';
import type { ChildRole } from '../harness/child-channel';
import { BenchArticle } from '../model/bench-article.entity';
import { articleValues, BENCH_OBJECT_TYPE } from '../peers/bench-payloads';
import type { LoggingResult } from '../floors/logging-floor';
import { sourceNodeOptions } from './syncbus-node-options';

/** Config of the syncbus logging role. */
export interface SyncbusLoggingConfig {
  readonly databaseUrl: string;
  readonly secretEnv: string;
  readonly changes: number;
  readonly targets: number;
  readonly run: string;
  /**
   * `per-change`: `logObjectChange` in a transaction of its own per change (the floor's rows, through syncbus);
   * `bulk`: every change in one transaction; `host-staged` / `host-baseline`: the host saves an article per
   * transaction through TypeORM with staging capturing it / with no staging module (the added latency).
   */
  readonly mode: 'per-change' | 'bulk' | 'host-staged' | 'host-baseline';
}

/** Servers that are enabled but never contacted: logging writes their rows, nothing drains them. */
const UNUSED_URL = 'http://127.0.0.1:9';

export const syncbusLoggingRole: ChildRole = async (
  config: SyncbusLoggingConfig,
  channel,
): Promise<LoggingResult> => {
  const kernel = await Kernel.boot(
    sourceNodeOptions({
      databaseUrl: config.databaseUrl,
      targetUrls: Array.from({ length: config.targets }, () => UNUSED_URL),
      secretEnv: config.secretEnv,
      staging: config.mode !== 'host-baseline',
    }),
  );
  try {
    const storage = kernel.get(Storage);
    const changes = kernel.get(ObjectChanges);
    const options = { objectType: BENCH_OBJECT_TYPE };
    channel.ready();
    await channel.nextGo();

    if (config.mode === 'bulk') {
      const started = performance.now();
      await storage.transaction(async (manager) => {
        for (let i = 0; i < config.changes; i++) {
          await changes.logObjectChange(articleValues(i, config.run), 'create', { ...options, manager });
        }
      });
      return { changes: config.changes, ms: performance.now() - started };
    }

    const change =
      config.mode === 'per-change'
        ? (i: number) => changes.logObjectChange(articleValues(i, config.run), 'create', options)
        : (i: number) =>
            storage.transaction((manager) => manager.save(BenchArticle, articleValues(i, config.run)));
    const latencies = new Float64Array(config.changes);
    const started = performance.now();
    for (let i = 0; i < config.changes; i++) {
      const t0 = performance.now();
      await change(i);
      latencies[i] = performance.now() - t0;
    }
    return { changes: config.changes, ms: performance.now() - started, latencies };
  } finally {
    await kernel.stop();
  }
};
