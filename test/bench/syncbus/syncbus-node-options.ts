// How the benchmark boots real syncbus nodes: a source that logs and drains, a target that receives and applies.
import { createLogger, type Kernel, type KernelOptions } from '@syncbus/core';
import { ServerModule } from '@syncbus/server';
import { ServerInfoProvider, StagingModule } from '@syncbus/staging';
import { benchModel } from '../model/bench-article.entity';

/** Source names the target accepts: the syncbus source and the peers posting to the same receiver. */
export const BENCH_SOURCES = ['source', 'bench-naive', 'bench-bullmq', 'bench-floor'] as const;

/** Warnings and errors only, on stderr, so the markdown on stdout stays clean. */
const benchLogger = () => createLogger({ level: 'warn', destination: process.stderr });

/**
 * A source node: staging with a server per URL (only the ones a workload drains need answer), sending batches of
 * `batchSize`, leasing claimed rows for `leaseMs` (staging's default when absent).
 */
export function sourceNodeOptions(options: {
  databaseUrl: string;
  targetUrls: readonly string[];
  secretEnv: string;
  batchSize?: number;
  leaseMs?: number;
  staging?: boolean;
}): KernelOptions {
  // Without staging (the host's baseline) the staging sections would be unknown settings.
  const staging =
    options.staging === false
      ? {}
      : {
          servers: options.targetUrls.map((url, i) => ({
            name: benchServerName(i),
            url,
            secret: `env:${options.secretEnv}`,
          })),
          staging: { batchSize: options.batchSize ?? 500, leaseMs: options.leaseMs },
        };
  return {
    config: { nodeName: 'source', database: { url: options.databaseUrl }, ...staging },
    modules: options.staging === false ? [] : [StagingModule],
    ...benchModel,
    logger: benchLogger(),
  };
}

/** The ids of a source node's servers, in the order of its `targetUrls` (names `target`, `target-2`, ...). */
export async function benchServerIds(kernel: Kernel): Promise<number[]> {
  const servers = await kernel.get(ServerInfoProvider).getServers();
  const byName = new Map(servers.map((s) => [s.name, s.id]));
  return servers.map((_, i) => byName.get(benchServerName(i))!);
}

/** The name of a source node's `i`-th server. */
function benchServerName(i: number): string {
  return i === 0 ? 'target' : `target-${i + 1}`;
}

/**
 * A target node: the HTTP receiver on a free loopback port, applying to its article table, with conflict
 * detection on (its default) unless `conflictDetection` is false.
 */
export function targetNodeOptions(options: {
  databaseUrl: string;
  secretEnv: string;
  conflictDetection?: boolean;
}): KernelOptions {
  return {
    config: {
      nodeName: 'target',
      database: { url: options.databaseUrl },
      http: { host: '127.0.0.1', port: 0 },
      staging: {
        receiver: {
          sources: BENCH_SOURCES.map((server) => ({ server, secret: `env:${options.secretEnv}` })),
          conflicts: { detect: options.conflictDetection ?? true },
        },
      },
    },
    modules: [StagingModule, ServerModule],
    ...benchModel,
    logger: benchLogger(),
  };
}
