// Boots a host node that loads real connector packages purely by name from its config, with the content model,
// the integration bus and (optionally) the HTTP server on a free loopback port; fast timings for tests.
import { createLogger, Kernel, Storage, type Logger } from '@syncbus/core';
import { IntegrationModule, IntegrationSyncLog, IntegrationConnectorRegistry } from '@syncbus/integration';
import { FAST_INTEGRATION } from '@syncbus/integration/sdk/testing';
import { ServerModule, SyncbusHttpServer } from '@syncbus/server';
import { contentModel } from '../support/content-model';
import { until as waitUntil } from '../support/until';

/** Integration timings that keep retries and polling short: the SDK test kit's, as a connector's own tests use. */
export { FAST_INTEGRATION };

/** Options of `bootConnectorNode`. */
export interface ConnectorNodeOptions {
  readonly databaseUrl: string;
  /** npm package names, as a host's config lists them. */
  readonly plugins: readonly string[];
  readonly connectors: readonly Record<string, unknown>[];
  readonly integration?: Record<string, unknown>;
  /** Serve HTTP (the inbound route) on a free loopback port. */
  readonly http?: boolean;
  readonly logger?: Logger;
  readonly env?: NodeJS.ProcessEnv;
}

/** A booted node and what tests read from it. */
export interface ConnectorNode {
  readonly kernel: Kernel;
  readonly storage: Storage;
  /** Base URL of the HTTP server when `http` was set. */
  readonly url?: string;
  /** Sync log entries (errors) of a connector. */
  syncLog(connector: string): ReturnType<IntegrationSyncLog['entries']>;
  stop(): Promise<void>;
}

/** Boots the node. */
export async function bootConnectorNode(options: ConnectorNodeOptions): Promise<ConnectorNode> {
  const kernel = await Kernel.boot({
    config: {
      database: { url: options.databaseUrl },
      plugins: [...options.plugins],
      integration: { ...FAST_INTEGRATION, ...options.integration },
      connectors: [...options.connectors],
      ...(options.http ? { http: { port: 0 } } : {}),
    },
    modules: options.http ? [IntegrationModule, ServerModule] : [IntegrationModule],
    ...contentModel,
    env: options.env,
    logger: options.logger ?? createLogger({ level: 'silent' }),
  });
  return {
    kernel,
    storage: kernel.get(Storage),
    url: options.http ? kernel.get(SyncbusHttpServer).url : undefined,
    syncLog: (connector) =>
      kernel.get(IntegrationSyncLog).entries(kernel.get(IntegrationConnectorRegistry).get(connector).id),
    stop: () => kernel.stop(),
  };
}

/** `until` with the longer default wait the connector suites need (brokers and HTTP endpoints). */
export function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return waitUntil(probe, what, timeoutMs);
}
