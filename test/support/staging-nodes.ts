// Boots syncbus nodes that stage to each other over real HTTP on loopback, each with its own database and the
// content model; shared by the staging, autosync, CLI and benchmark tests.
import { randomBytes } from 'node:crypto';
import { createLogger, Kernel, Storage, type Logger, type Newable } from '@syncbus/core';
import { ServerModule, SyncbusHttpServer } from '@syncbus/server';
import { ServerInfoProvider, StagingModule, type StagingServer } from '@syncbus/staging';
import { contentModel } from './content-model';
import { tempSqliteUrl } from './temp-sqlite';
import { until } from './until';

/** A shared secret in a fresh environment variable, as config references it. */
export interface TestSecret {
  readonly variable: string;
  readonly value: string;
  /** `env:<variable>`, for `secret` fields. */
  readonly ref: string;
}

/** Creates a random secret and exports it in `process.env` (servers added through the API read it there). */
export function createTestSecret(): TestSecret {
  const variable = `SYNCBUS_TEST_SECRET_${randomBytes(6).toString('hex').toUpperCase()}`;
  const value = randomBytes(24).toString('hex');
  process.env[variable] = value;
  return { variable, value, ref: `env:${variable}` };
}

/** Options of one staging node. */
export interface StagingNodeOptions {
  /** `nodeName`: what targets see as the source server. */
  readonly name: string;
  /** `database.url`; default a new SQLite file. */
  readonly databaseUrl?: string;
  /** Further `database` settings (e.g. `synchronize` for a model without migrations). */
  readonly database?: Record<string, unknown>;
  /** Serve HTTP on a free loopback port (the node receives). Default true. */
  readonly http?: boolean;
  /** Extra `http` settings (timeouts, connection limits). */
  readonly httpSettings?: Record<string, unknown>;
  /** Sources this node accepts tasks from. */
  readonly acceptFrom?: readonly { server: string; secret: TestSecret }[];
  /** The `servers` section. */
  readonly servers?: readonly { name: string; url: string; secret: TestSecret; enabled?: boolean }[];
  /** Extra `staging` settings (merged over the test defaults). */
  readonly staging?: Record<string, unknown>;
  readonly modules?: readonly Newable[];
  readonly logger?: Logger;
  /** The host's entities and migrations; default the demo's content model. */
  readonly model?: HostModel;
  /** Further config sections (e.g. `admin`), as in a config file. */
  readonly config?: Record<string, unknown>;
  /** The node's environment (`Kernel.boot({ env })`); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A host content model, as `Kernel.boot` takes it. */
export interface HostModel {
  readonly entities: Newable[];
  readonly migrations: Newable[];
}

/** A booted node. */
export interface StagingNode {
  readonly name: string;
  readonly kernel: Kernel;
  readonly storage: Storage;
  /** Base URL of its HTTP server, when it serves one. */
  readonly url?: string;
  stop(): Promise<void>;
}

/** Boots one node with the content model, staging and (unless `http: false`) the HTTP server on port 0. */
export async function bootStagingNode(options: StagingNodeOptions): Promise<StagingNode> {
  const staging = {
    retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    requestTimeoutMs: 5000,
    ...options.staging,
    receiver: {
      sources: (options.acceptFrom ?? []).map((s) => ({ server: s.server, secret: s.secret.ref })),
      ...((options.staging?.receiver as object | undefined) ?? {}),
    },
  };
  const kernel = await Kernel.boot({
    config: {
      ...options.config,
      nodeName: options.name,
      database: { ...options.database, url: options.databaseUrl ?? tempSqliteUrl(`staging-${options.name}`) },
      http: { enabled: options.http ?? true, port: 0, ...options.httpSettings },
      staging,
      servers: (options.servers ?? []).map((s) => ({
        name: s.name,
        url: s.url,
        secret: s.secret.ref,
        enabled: s.enabled ?? true,
      })),
    },
    modules: [StagingModule, ServerModule, ...(options.modules ?? [])],
    ...(options.model ?? contentModel),
    env: options.env,
    logger: options.logger ?? createLogger({ level: 'silent' }),
  });
  const http = kernel.get(SyncbusHttpServer);
  return {
    name: options.name,
    kernel,
    storage: kernel.get(Storage),
    url: options.http === false ? undefined : http.url,
    stop: () => kernel.stop(),
  };
}

/** A source staging to a target. */
export interface StagingPair {
  readonly source: StagingNode;
  readonly target: StagingNode;
  readonly secret: TestSecret;
  /** The target as a server row on the source. */
  readonly server: StagingServer;
  stop(): Promise<void>;
}

/**
 * Boots a target (`target`, accepting `source`) and a source (`source`, with a server `target` pointing at the
 * target's URL). The source serves no HTTP unless asked.
 */
export async function startStagingPair(
  options: {
    sourceDatabaseUrl?: string;
    targetDatabaseUrl?: string;
    sourceStaging?: Record<string, unknown>;
    targetStaging?: Record<string, unknown>;
    sourceModules?: readonly Newable[];
    targetModules?: readonly Newable[];
    model?: HostModel;
  } = {},
): Promise<StagingPair> {
  const secret = createTestSecret();
  const target = await bootStagingNode({
    name: 'target',
    databaseUrl: options.targetDatabaseUrl,
    acceptFrom: [{ server: 'source', secret }],
    staging: options.targetStaging,
    modules: options.targetModules,
    model: options.model,
  });
  let source: StagingNode;
  try {
    source = await bootStagingNode({
      name: 'source',
      databaseUrl: options.sourceDatabaseUrl,
      http: false,
      servers: [{ name: 'target', url: target.url!, secret }],
      staging: options.sourceStaging,
      modules: options.sourceModules,
      model: options.model,
    });
  } catch (error) {
    await target.stop();
    throw error;
  }
  const server = (await source.kernel.get(ServerInfoProvider).getServer('target'))!;
  return {
    source,
    target,
    secret,
    server,
    stop: async () => {
      await Promise.all([source.stop(), target.stop()]);
      delete process.env[secret.variable];
    },
  };
}

/** `until` under the name the staging suites use: polls `condition` until it holds, bounded by `timeoutMs`. */
export const eventually = until;

/** Empties a PostgreSQL test database (drops and recreates `public`), so the next node migrates from scratch. */
export async function resetPostgresSchema(url: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.end();
  }
}
