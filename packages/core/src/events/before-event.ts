// The cancellable half of an event: handlers run in order, awaited, and may amend the args or cancel.
import { EventCancelledError } from '../errors';

/** Lets a before-handler stop the operation; the operation then throws `EventCancelledError` and writes nothing. */
export interface BeforeEventControl {
  /** Stops the operation with `reason`, which `EventCancelledError` carries to the caller. */
  cancel(reason: string): void;
}

/**
 * A before-handler. It may change `args` in place, or return a new args object that replaces them for the
 * handlers after it and for the operation. A thrown error aborts the operation like a cancel.
 */
export type BeforeHandler<TArgs> = (
  args: TArgs,
  control: BeforeEventControl,
) => void | TArgs | Promise<void | TArgs>;

/** A handle that removes what it was returned for. */
export interface Disposable {
  /** Removes it; a second call does nothing. */
  dispose(): void;
}

/** Handlers that run before an operation (TypeORM's Broadcaster pattern: awaited in order). */
export class BeforeEvent<TArgs> {
  private readonly handlers: BeforeHandler<TArgs>[] = [];

  constructor(readonly eventName: string) {}

  /** Adds a handler; dispose the result to remove it. */
  add(handler: BeforeHandler<TArgs>): Disposable {
    this.handlers.push(handler);
    return { dispose: () => void this.handlers.splice(this.handlers.indexOf(handler) >>> 0, 1) };
  }

  /** True when no handler is attached, so hot paths can skip building args. */
  get isEmpty(): boolean {
    return this.handlers.length === 0;
  }

  /** Runs every handler in order and returns the (possibly amended) args; throws when one cancels. */
  async raise(args: TArgs): Promise<TArgs> {
    let current = args;
    for (const handler of [...this.handlers]) {
      let cancelled: string | undefined;
      const replaced = await handler(current, {
        cancel: (reason) => void (cancelled = reason || 'no reason given'),
      });
      if (cancelled !== undefined) throw new EventCancelledError(this.eventName, cancelled);
      if (replaced !== undefined) current = replaced;
    }
    return current;
  }
}
