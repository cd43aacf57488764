// Creates a node's events, wired to its logger and ambient scope; events classes inject this.
import { AfterEventEmitter, type SubscriberErrorReporter } from './after-event';
import { SyncEventEmitter } from './sync-event';

/**
 * Creates events whose after-subscribers run in the node's scope and report errors to its logger. Each comes as
 * its owner's emitter: the owner keeps it and hands out `emitter.event`, which others can only subscribe to.
 */
export class SyncEventFactory {
  constructor(
    private readonly reportError: SubscriberErrorReporter,
    private readonly runInScope: <T>(fn: () => T) => T,
  ) {}

  /** A before/after event (`emitter.event` is the `SyncEvent`). */
  create<TArgs>(eventName: string): SyncEventEmitter<TArgs> {
    return new SyncEventEmitter<TArgs>(eventName, this.reportError, this.runInScope);
  }

  /** An event with no before half: for outcomes nothing may cancel or amend (a batch the target answered). */
  createAfter<TArgs>(eventName: string): AfterEventEmitter<TArgs> {
    return new AfterEventEmitter<TArgs>(eventName, this.reportError, this.runInScope);
  }
}
