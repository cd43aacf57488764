// Task groups (Kentico's staging task groups): the changes made inside a scope are tagged with its groups.
import { AsyncLocalStorage } from 'node:async_hooks';

const groups = new AsyncLocalStorage<readonly string[]>();

/** Runs `fn` so that every task logged inside it belongs to `group` too (scopes nest and add up). */
export function runInTaskGroup<T>(group: string, fn: () => T): T {
  const current = groups.getStore() ?? [];
  return groups.run(current.includes(group) ? current : [...current, group], fn);
}

/** The task groups of the current scope. */
export function currentTaskGroups(): readonly string[] {
  return groups.getStore() ?? [];
}
