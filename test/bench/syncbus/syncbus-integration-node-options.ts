// How the integration drain workload boots its node: the integration bus with the connector that answers at once,
// the benchmark's article model, no staging (the node logs outgoing integration tasks only).
import { createLogger, type KernelOptions } from '@syncbus/core';
import { IntegrationModule } from '@syncbus/integration';
import { benchModel } from '../model/bench-article.entity';
import { BENCH_CONNECTOR, BenchInstantConnector } from './bench-instant-connector';

/**
 * The longest idle sleep of the drain. The drain process boots before the backlog is filled (by another process:
 * SQLite has no wake-ups across processes), so it must not find the backlog by polling before the clock starts;
 * the go signal wakes it as the integration auto-sync plugin would (`IntegrationTaskProcessor.wake`).
 */
const IDLE_POLL_MS = 10 * 60_000;

/** A node that logs outgoing tasks for `bench-instant` and drains them in batches of `batchSize`. */
export function integrationNodeOptions(options: { databaseUrl: string; batchSize?: number }): KernelOptions {
  return {
    config: {
      nodeName: 'source',
      database: { url: options.databaseUrl },
      integration: { batchSize: options.batchSize ?? 50, pollIntervalMs: IDLE_POLL_MS },
      connectors: [{ name: BENCH_CONNECTOR }],
    },
    modules: [IntegrationModule, BenchInstantConnector],
    ...benchModel,
    // Warnings and errors only, on stderr, so the markdown on stdout stays clean.
    logger: createLogger({ level: 'warn', destination: process.stderr }),
  };
}
