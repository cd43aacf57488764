// The child's side of the protocol: a role reports `ready`, waits for `go`, and ends on `stop` or by returning.
import type { ToChild } from './child-messages';

/** What a role gets to talk to the benchmark. */
export interface ChildChannel {
  /** Tells the parent the role is ready (servers pass their port). */
  ready(value?: unknown): void;
  /** Resolves with the value of the next `go` from the parent. */
  nextGo<T = unknown>(): Promise<T>;
  /** Resolves when the parent asks the role to stop. */
  readonly stopped: Promise<void>;
}

/** One benchmark role: runs in its own process; what it returns is sent to the parent as its result. */
export type ChildRole = (config: any, channel: ChildChannel) => Promise<unknown>;

/** Builds the channel over `process` IPC; create it before the role runs so no `go` or `stop` is missed. */
export function createChildChannel(): ChildChannel {
  const goQueue: unknown[] = [];
  const goWaiters: ((value: unknown) => void)[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.on('message', (message: ToChild) => {
    if (message.kind === 'stop') stop();
    else if (message.kind === 'go') {
      const waiter = goWaiters.shift();
      if (waiter) waiter(message.value);
      else goQueue.push(message.value);
    }
  });
  // The parent died: never outlive it.
  process.on('disconnect', () => process.exit(1));
  return {
    ready: (value) => process.send!({ kind: 'ready', value }),
    nextGo: <T>() =>
      goQueue.length > 0
        ? Promise.resolve(goQueue.shift() as T)
        : new Promise<T>((resolve) => goWaiters.push(resolve as (value: unknown) => void)),
    stopped,
  };
}
