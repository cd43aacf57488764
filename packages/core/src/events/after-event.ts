// The observable half of an event: fires after the operation committed; subscribers can never hurt it.
import { Observable, Subject, type Observer, type Subscription } from 'rxjs';

/** Receives errors thrown (or rejected) by after-subscribers, with the event's name. */
export type SubscriberErrorReporter = (error: unknown, eventName: string) => void;

/**
 * An RxJS `Observable` of the args of completed operations: subscribe-only (its owner emits through the
 * `AfterEventEmitter` that made it). Each direct subscriber is isolated: a throw or a rejected promise from its
 * callback is reported and never reaches the operation or the other subscribers; an async callback is not
 * awaited, so a slow subscriber does not hold the operation up.
 */
export class AfterEvent<TArgs> extends Observable<TArgs> {
  private constructor(
    readonly eventName: string,
    private readonly subject: Subject<TArgs>,
    private readonly reportError: SubscriberErrorReporter,
    private readonly runInScope: <T>(fn: () => T) => T,
  ) {
    super((subscriber) => this.subject.subscribe(subscriber));
  }

  /** The event an emitter's subject feeds (for `AfterEventEmitter` only: hence not a public constructor). */
  static of<TArgs>(
    eventName: string,
    subject: Subject<TArgs>,
    reportError: SubscriberErrorReporter,
    runInScope: <T>(fn: () => T) => T,
  ): AfterEvent<TArgs> {
    return new AfterEvent(eventName, subject, reportError, runInScope);
  }

  /** True when nobody listens, so hot paths can skip building args. */
  get observed(): boolean {
    return this.subject.observed;
  }

  /** Subscribes as an RxJS `Observable` does; a `next` that throws or rejects is reported, never rethrown. */
  override subscribe(
    observerOrNext?: Partial<Observer<TArgs>> | ((value: TArgs) => unknown) | null,
  ): Subscription {
    const observer: Partial<Observer<TArgs>> =
      typeof observerOrNext === 'function' ? { next: observerOrNext } : (observerOrNext ?? {});
    const next = observer.next;
    if (!next) return super.subscribe(observer);
    return super.subscribe({
      error: observer.error?.bind(observer),
      complete: observer.complete?.bind(observer),
      next: (value) => this.deliver(() => next.call(observer, value)),
    });
  }

  private deliver(call: () => unknown): void {
    try {
      const result = this.runInScope(call);
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, (error) => this.reportError(error, this.eventName));
      }
    } catch (error) {
      this.reportError(error, this.eventName);
    }
  }
}

/**
 * The owner's half of an after-event: only whoever holds the emitter emits, and it hands out `event`, which
 * can only be subscribed to (so no plugin can fake another's `logTask.after`).
 */
export class AfterEventEmitter<TArgs> {
  private readonly subject = new Subject<TArgs>();
  /** What subscribers get. */
  readonly event: AfterEvent<TArgs>;

  constructor(
    eventName: string,
    reportError: SubscriberErrorReporter,
    /** Runs each delivery in the emitting node's scope (see `currentNode`). */
    runInScope: <T>(fn: () => T) => T = (fn) => fn(),
  ) {
    this.event = AfterEvent.of(eventName, this.subject, reportError, runInScope);
  }

  /** True when nobody listens, so hot paths can skip building args. */
  get observed(): boolean {
    return this.subject.observed;
  }

  /** Emits to every subscriber, once the operation has committed. */
  emit(args: TArgs): void {
    this.subject.next(args);
  }
}
