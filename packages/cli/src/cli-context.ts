// What every command gets: output, the config, and a way to open the node it operates on.
import { Kernel, createLogger, type KernelOptions, type Newable } from '@syncbus/core';
import type { Writable } from 'node:stream';
import { loadNodeConfig, type NodeConfig } from './node-config';
import { Output } from './output/output';

/** Global options every command accepts. */
export interface GlobalOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
}

/** Streams a command writes to (tests pass their own). */
export interface CliStreams {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
}

/** Shared by the commands of one invocation. */
export class CliContext {
  constructor(
    readonly streams: CliStreams,
    /** Modules every node the CLI opens has (staging, integration; `start` adds the HTTP server). */
    readonly baseModules: readonly Newable[],
  ) {}

  /** Where a command writes: tables or `--json`, to this context's streams. */
  output(options: GlobalOptions): Output {
    return new Output(options.json ?? false, this.streams.stdout, this.streams.stderr);
  }

  /** The node's config file, read (not yet validated) from `--config`, `$SYNCBUS_CONFIG` or a default name. */
  config(options: GlobalOptions): NodeConfig {
    return loadNodeConfig(options.config);
  }

  /**
   * Opens the node of the config for an administrative command: storage and services, no background work,
   * logging only warnings (to stderr) unless --verbose.
   */
  async open(options: GlobalOptions, extra: Partial<KernelOptions> = {}): Promise<Kernel> {
    const { config, baseDir } = this.config(options);
    return Kernel.boot({
      config,
      baseDir,
      modules: [...this.baseModules, ...(extra.modules ?? [])],
      logger: createLogger({ level: options.verbose ? 'debug' : 'warn', destination: this.streams.stderr }),
      start: false,
      // An administrative command needs only the secrets it reads (`servers list` needs no metrics token).
      secrets: 'when-used',
      // Nor do they change the schema: `syncbus migrate` (or `start`) does; they say so when it is behind.
      migrate: false,
      ...extra,
    });
  }

  /** Opens the node, runs `fn`, and always stops the node again. */
  async withNode<T>(
    options: GlobalOptions,
    fn: (kernel: Kernel) => Promise<T>,
    extra: Partial<KernelOptions> = {},
  ): Promise<T> {
    const kernel = await this.open(options, extra);
    try {
      return await fn(kernel);
    } finally {
      await kernel.stop();
    }
  }
}
