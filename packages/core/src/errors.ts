// Typed errors of the kernel. Every message says what went wrong and what to do about it.

/**
 * What kind of refusal an error is, for whoever answers it (`@syncbus/server` maps each kind to one HTTP status):
 * `invalid` input (400), `unauthenticated` (401), `forbidden` (403), `not-found` (404), `conflict` with the state
 * the caller wants to change (409), `too-large` (413), `unsupported-media-type` (415), `unprocessable`: well-formed
 * but impossible to apply here (422), `unavailable`: turned off on this node (503). An error without a kind is a
 * failure of the node (500).
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unprocessable'
  | 'unavailable';

/** Base class of every error syncbus raises on purpose; `code` is stable for scripts and tests. */
export class SyncbusError extends Error {
  /** What kind of refusal this is; undefined for a failure of the node. */
  readonly kind?: ErrorKind;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown; kind?: ErrorKind },
  ) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    if (options?.kind) this.kind = options.kind;
  }
}

/** One wrong field, of a config, an input or a request body, with its path (e.g. `servers.0.url`; '' the whole). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * The one way problems are written for people: a list, one `  - path: message` line each (`(root)` for the whole
 * value), or `inline` as `path: message; path: message` for a message that must stay on one line.
 */
export function formatProblems(
  problems: readonly ConfigProblem[],
  layout: 'list' | 'inline' = 'list',
): string {
  const lines = problems.map((p) => `${p.path || '(root)'}: ${p.message}`);
  return layout === 'inline' ? lines.join('; ') : lines.map((line) => `  - ${line}`).join('\n');
}

/**
 * "These fields are wrong": `problems` names every wrong field, not just the first, and the message is `lead`
 * (what was wrong and what to do, e.g. "Invalid server; fix these fields") followed by the list. Every validation
 * error of syncbus is one (the config's, an API input's, a request body's); HTTP answers it 400 with `problems`.
 */
export class ValidationError extends SyncbusError {
  constructor(
    code: string,
    lead: string,
    readonly problems: readonly ConfigProblem[],
    options?: { cause?: unknown },
  ) {
    super(code, `${lead}:\n${formatProblems(problems)}`, { ...options, kind: 'invalid' });
  }
}

/** The configuration is invalid; `problems` lists every wrong field, not just the first. */
export class ConfigError extends ValidationError {
  constructor(problems: readonly ConfigProblem[], source = 'configuration') {
    super('CONFIG_INVALID', `Invalid ${source}; fix these fields and start again`, problems);
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
