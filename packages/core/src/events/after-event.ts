// The observable half of an event: fires after the operation committed; subscribers can never hurt it.
import { Observable, Subject, type Observer, type Subscription } from 'rxjs';

/** Receives errors thrown (or rejected) by after-subscribers, with the event's name. */
export type SubscriberErrorReporter = (error: unknown, eventName: string) => void;

/**
 * An RxJS `Observable` of the args of completed operations. Each direct subscriber is isolated: a throw or a
 * rejected promise from its callback is reported and never reaches the operation or the other subscribers;
 * an async callback is not awaited, so a slow subscriber does not hold the operation up.
 */
export class AfterEvent<TArgs> extends Observable<TArgs> {
  private readonly subject = new Subject<TArgs>();

  constructor(
    readonly eventName: string,
    private readonly reportError: SubscriberErrorReporter,
    /** Runs each delivery in the emitting node's scope (see `currentNode`). */
    private readonly runInScope: <T>(fn: () => T) => T = (fn) => fn(),
  ) {
    super((subscriber) => this.subject.subscribe(subscriber));
  }

  /** True when nobody listens, so hot paths can skip building args. */
  get observed(): boolean {
    return this.subject.observed;
  }

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

  /** Emits to every subscriber. Only the emitting service calls this. */
  emit(args: TArgs): void {
    this.subject.next(args);
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
