// Typed errors of the kernel. Every message says what went wrong and what to do about it.

/** Base class of every error syncbus raises on purpose; `code` is stable for scripts and tests. */
export class SyncbusError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found in the configuration, with its path (e.g. `servers.0.url`). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** The configuration is invalid; `problems` lists every wrong field, not just the first. */
export class ConfigError extends SyncbusError {
  constructor(
    readonly problems: readonly ConfigProblem[],
    source = 'configuration',
  ) {
    super(
      'CONFIG_INVALID',
      `Invalid ${source}; fix these fields and start again:\n` +
        problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
  }
}

/** A plugin package listed in the config could not be loaded. */
export class PluginLoadError extends SyncbusError {
  constructor(
    readonly packageName: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('PLUGIN_LOAD_FAILED', `Plugin '${packageName}' could not be loaded: ${reason}`, options);
  }
}

/** A before-event handler cancelled the operation; nothing was written. */
export class EventCancelledError extends SyncbusError {
  constructor(
    readonly eventName: string,
    readonly reason: string,
  ) {
    super('EVENT_CANCELLED', `The operation was cancelled by a handler of '${eventName}': ${reason}`);
  }
}

/** Modules depend on each other in a cycle, or a dependency is not a registered module. */
export class ModuleGraphError extends SyncbusError {
  constructor(message: string) {
    super('MODULE_GRAPH_INVALID', message);
  }
}
