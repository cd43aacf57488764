// One event of the system (Kentico's `StagingEvents.LogTask`): a cancellable `before` and an observable `after`.
import { AfterEvent, type SubscriberErrorReporter } from './after-event';
import { BeforeEvent } from './before-event';

/**
 * A typed before/after event pair. Operations call `before.raise(args)` (awaited; may cancel or amend) and,
 * once committed, `after.emit(args)`. Users attach with `before.add(handler)` and `after.subscribe(handler)`.
 */
export class SyncEvent<TArgs> {
  readonly before: BeforeEvent<TArgs>;
  readonly after: AfterEvent<TArgs>;

  constructor(
    readonly eventName: string,
    reportError: SubscriberErrorReporter,
    runInScope?: <T>(fn: () => T) => T,
  ) {
    this.before = new BeforeEvent<TArgs>(eventName);
    this.after = new AfterEvent<TArgs>(eventName, reportError, runInScope);
  }
}
