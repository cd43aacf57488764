// Boots a staging source node that loads plugins by package name (as a host does), with the content model, for the
// auto-sync tests; targets come from the shared staging-nodes helper.
import { createLogger, Kernel, Storage, type Logger, type Newable } from '@syncbus/core';
import { StagingModule } from '@syncbus/staging';
import { contentModel } from '../support/content-model';
import { tempSqliteUrl } from '../support/temp-sqlite';
import type { TestSecret } from '../support/staging-nodes';

/** The auto-sync plugin's package, loaded from its built dist. */
export const STAGING_AUTOSYNC_PLUGIN = '@syncbus/plugin-staging-autosync';

/** Options of `bootSource`. */
export interface SourceOptions {
  readonly name?: string;
  readonly databaseUrl?: string;
  readonly servers: readonly { name: string; url: string; secret: TestSecret; enabled?: boolean }[];
  /** npm packages to load; default the staging auto-sync plugin. */
  readonly plugins?: readonly string[];
  readonly staging?: Record<string, unknown>;
  /** Further top-level config sections (e.g. `stagingAutoSync`, `integration`, `connectors`). */
  readonly config?: Record<string, unknown>;
  readonly modules?: readonly Newable[];
  readonly logger?: Logger;
}

/** Settings that make failures visible quickly in tests. */
export const TEST_STAGING = {
  retry: { maxAttempts: 100, baseDelayMs: 50, maxDelayMs: 100 },
  requestTimeoutMs: 30_000,
  leaseMs: 5000,
};

/** Boots a source with StagingModule, the content model and `plugins`, staging to `servers`. */
export async function bootSource(options: SourceOptions): Promise<{ kernel: Kernel; storage: Storage }> {
  const kernel = await Kernel.boot({
    config: {
      nodeName: options.name ?? 'source',
      database: { url: options.databaseUrl ?? tempSqliteUrl('autosync-source') },
      plugins: [...(options.plugins ?? [STAGING_AUTOSYNC_PLUGIN])],
      staging: { ...TEST_STAGING, ...options.staging },
      servers: options.servers.map((s) => ({
        name: s.name,
        url: s.url,
        secret: s.secret.ref,
        enabled: s.enabled ?? true,
      })),
      ...options.config,
    },
    modules: [StagingModule, ...(options.modules ?? [])],
    ...contentModel,
    logger: options.logger ?? createLogger({ level: 'silent' }),
  });
  return { kernel, storage: kernel.get(Storage) };
}
