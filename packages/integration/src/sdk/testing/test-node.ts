// A real node for a plugin's own tests: a temporary SQLite file, the integration bus with fast timings, the
// plugins under test loaded by name or by path (a package loads itself from its own folder), removed at stop.
import { createLogger, Kernel, Storage, type Logger, type Newable } from '@syncbus/core';
import { IntegrationModule } from '../../integration-module';
import { ServerModule, SyncbusHttpServer } from '@syncbus/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Integration timings that keep polling and retries short in tests (a config's `integration` overrides them). */
export const FAST_INTEGRATION = {
  pollIntervalMs: 50,
  callTimeoutMs: 5000,
  skipDelayMs: 150,
  leaseMs: 10_000,
  retry: { maxAttempts: 5, baseDelayMs: 40, maxDelayMs: 200 },
};

/** What `startTestNode` boots. */
export interface TestNodeOptions {
  /**
   * Plugins as a host's config lists them: package names, or folder paths (absolute, or `./`-relative to
   * `baseDir`); a package under test passes its own folder, e.g. `resolve(__dirname, '..')` (built first).
   */
  readonly plugins?: readonly string[];
  /** `connectors` entries: `{ name, config }`. */
  readonly connectors?: readonly Record<string, unknown>[];
  /** More config sections (`integration`, `staging`, `servers`, ...), merged over the kit's. */
  readonly config?: Record<string, unknown>;
  /** Modules from code; default the integration bus. */
  readonly modules?: readonly Newable[];
  /** The host's entities and migrations (a model of its own). */
  readonly entities?: readonly Function[];
  readonly migrations?: readonly Function[];
  /** Serve HTTP on a free loopback port (inbound routes); `url` is then set. */
  readonly http?: boolean;
  /** The node's environment (secrets); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where relative plugin paths resolve; default the working folder. */
  readonly baseDir?: string;
  /** Default: silent. */
  readonly logger?: Logger;
}

/** A booted test node. */
export interface TestNode {
  readonly kernel: Kernel;
  readonly storage: Storage;
  /** The node's temporary folder (its database lives here); removed by `stop()`. */
  readonly dir: string;
  /** Base URL of the HTTP server with `http: true`. */
  readonly url?: string;
  /** Stops the node and removes its folder. */
  stop(): Promise<void>;
}

/** Boots a node as `TestNodeOptions` say; stop it in `afterEach`/`afterAll`. */
export async function startTestNode(options: TestNodeOptions = {}): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-test-node-'));
  const extra = options.config ?? {};
  try {
    const kernel = await Kernel.boot({
      config: {
        ...extra,
        database: { url: `sqlite:${join(dir, 'node.sqlite')}`, ...(extra.database as object | undefined) },
        plugins: [...(options.plugins ?? [])],
        connectors: [...(options.connectors ?? [])],
        integration: { ...FAST_INTEGRATION, ...(extra.integration as object | undefined) },
        ...(options.http ? { http: { port: 0, ...(extra.http as object | undefined) } } : {}),
      },
      baseDir: options.baseDir,
      modules: [...(options.modules ?? [IntegrationModule]), ...(options.http ? [ServerModule] : [])],
      entities: options.entities,
      migrations: options.migrations,
      env: options.env,
      logger: options.logger ?? createLogger({ level: 'silent' }),
    });
    return {
      kernel,
      storage: kernel.get(Storage),
      dir,
      url: options.http ? kernel.get(SyncbusHttpServer).url : undefined,
      async stop() {
        try {
          await kernel.stop();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
