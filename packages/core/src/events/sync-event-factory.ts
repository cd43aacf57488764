// Creates a node's events, wired to its logger and ambient scope; events classes inject this.
import { SyncEvent } from './sync-event';
import { AfterEvent, type SubscriberErrorReporter } from './after-event';

/** Creates `SyncEvent`s whose after-subscribers run in the node's scope and report errors to its logger. */
export class SyncEventFactory {
  constructor(
    private readonly reportError: SubscriberErrorReporter,
    private readonly runInScope: <T>(fn: () => T) => T,
  ) {}

  create<TArgs>(eventName: string): SyncEvent<TArgs> {
    return new SyncEvent<TArgs>(eventName, this.reportError, this.runInScope);
  }

  /** An event with no before half: for outcomes nothing may cancel or amend (a batch the target answered). */
  createAfter<TArgs>(eventName: string): AfterEvent<TArgs> {
    return new AfterEvent<TArgs>(eventName, this.reportError, this.runInScope);
  }
}
