// Typed errors of content staging; each message says what went wrong and what to do about it.
import { SyncbusError, type ConfigProblem, ValidationError, type ErrorKind } from '@syncbus/core';

/** No staging server has this id or name. */
export class UnknownServerError extends SyncbusError {
  constructor(readonly server: number | string) {
    super(
      'UNKNOWN_SERVER',
      `No staging server '${server}' exists on this node; list servers with ServerInfoProvider.getServers() or add it first.`,
      { kind: 'not-found' },
    );
  }
}

/** The server is disabled: nothing is sent to it, its pending tasks wait. */
export class ServerDisabledError extends SyncbusError {
  constructor(readonly server: string) {
    super(
      'SERVER_DISABLED',
      `Staging server '${server}' is disabled, so nothing was sent; its pending tasks stay pending. Enable it to synchronize.`,
      { kind: 'conflict' },
    );
  }
}

/** The server is paused: tasks are still logged for it, nothing is sent until it is resumed. */
export class ServerPausedError extends SyncbusError {
  constructor(readonly server: string) {
    super(
      'SERVER_PAUSED',
      `Staging server '${server}' is paused, so nothing was sent; its tasks keep being logged and wait. Resume it to synchronize.`,
      { kind: 'conflict' },
    );
  }
}

/** A server with this name exists already. */
export class DuplicateServerError extends SyncbusError {
  constructor(readonly server: string) {
    super(
      'DUPLICATE_SERVER',
      `A staging server named '${server}' exists already; edit it or choose another name.`,
      { kind: 'conflict' },
    );
  }
}

/** The server's shared secret cannot be read on this node. */
export class SecretUnavailableError extends SyncbusError {
  constructor(
    readonly server: string,
    readonly reference: string,
  ) {
    super(
      'SECRET_UNAVAILABLE',
      `The shared secret of staging server '${server}' (${reference}) is not set on this node; export it and run again.`,
    );
  }
}

/** Input to a staging API was invalid; `problems` lists every wrong field. */
export class StagingValidationError extends ValidationError {
  constructor(what: string, problems: readonly ConfigProblem[]) {
    super('STAGING_INVALID_INPUT', `Invalid ${what}; fix these fields`, problems);
  }
}

/** Sending a batch failed as a whole: unreachable, timed out, refused, or a reply that is not the protocol. */
export class StagingTransportError extends SyncbusError {
  constructor(
    readonly server: string,
    message: string,
    /** The HTTP status when the target answered, e.g. 401. */
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super('STAGING_TRANSPORT_FAILED', message, options);
  }
}

/**
 * The receiver refused a whole request; nothing from it was applied. Its `kind` decides the HTTP answer
 * (`@syncbus/server`'s mapping): `too-large` 413, `unauthenticated` 401, `invalid` 400, `conflict` 409. A body of
 * the wrong shape is a `ValidationError` (`INVALID_REQUEST`, with `problems`) instead.
 */
export class StagingRequestRejectedError extends SyncbusError {
  constructor(
    kind: Extract<ErrorKind, 'invalid' | 'unauthenticated' | 'conflict' | 'too-large'>,
    code: string,
    message: string,
  ) {
    super(code, message, { kind });
  }
}

/** No conflict has this id on this node. */
export class UnknownConflictError extends SyncbusError {
  constructor(readonly conflictId: number) {
    super(
      'UNKNOWN_CONFLICT',
      `No conflict ${conflictId} exists on this node; list them with \`syncbus conflicts list --all\`.`,
      { kind: 'not-found' },
    );
  }
}

/** The conflict was resolved by a person or a handler already; resolving it again would change nothing they chose. */
export class ConflictResolvedError extends SyncbusError {
  constructor(
    readonly conflictId: number,
    readonly outcome: string,
  ) {
    super(
      'CONFLICT_RESOLVED',
      `Conflict ${conflictId} was resolved already (${outcome}); nothing was changed. Edit the object itself to change it further.`,
      { kind: 'conflict' },
    );
  }
}
