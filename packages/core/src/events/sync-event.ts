// One event of the system (Kentico's `StagingEvents.LogTask`): a cancellable `before` and an observable `after`.
import { AfterEventEmitter, type AfterEvent, type SubscriberErrorReporter } from './after-event';
import { BeforeEvent } from './before-event';

/**
 * A typed before/after event pair as everyone but its owner sees it: `before.add(handler)` and
 * `after.subscribe(handler)`. Its owner raises `before` and emits `after` through the `SyncEventEmitter` that
 * made it.
 */
export class SyncEvent<TArgs> {
  readonly before: BeforeEvent<TArgs>;

  constructor(
    readonly eventName: string,
    readonly after: AfterEvent<TArgs>,
  ) {
    this.before = new BeforeEvent<TArgs>(eventName);
  }
}

/**
 * The owner's half of a `SyncEvent`: operations call `event.before.raise(args)` (awaited; may cancel or amend)
 * and, once committed, `emitAfter(args)`. The owner exposes `event` and keeps the emitter to itself.
 */
export class SyncEventEmitter<TArgs> {
  private readonly after: AfterEventEmitter<TArgs>;
  /** The event as subscribers and before-handlers see it. */
  readonly event: SyncEvent<TArgs>;

  constructor(eventName: string, reportError: SubscriberErrorReporter, runInScope?: <T>(fn: () => T) => T) {
    this.after = new AfterEventEmitter<TArgs>(eventName, reportError, runInScope);
    this.event = new SyncEvent<TArgs>(eventName, this.after.event);
  }

  /** True when nobody subscribed to `after`, so hot paths can skip building args. */
  get observed(): boolean {
    return this.after.observed;
  }

  /** Emits `after`, once the operation has committed. */
  emitAfter(args: TArgs): void {
    this.after.emit(args);
  }
}
