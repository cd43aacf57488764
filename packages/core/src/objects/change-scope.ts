// Who and what a change is made on behalf of, carried through async calls so TypeORM subscribers can see it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChangeOrigin } from './object-change';

/** The ambient scope of changes: the user making them, and the origin when a task is being applied. */
export interface ChangeScope {
  readonly user?: string;
  readonly origin?: ChangeOrigin;
}

const storage = new AsyncLocalStorage<ChangeScope>();

/** Runs `fn` with `scope` merged over the current one; changes made inside carry it into their tasks. */
export function runInChangeScope<T>(scope: ChangeScope, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...scope }, fn);
}

/** The current change scope (empty outside `runInChangeScope`). */
export function currentChangeScope(): ChangeScope {
  return storage.getStore() ?? {};
}
