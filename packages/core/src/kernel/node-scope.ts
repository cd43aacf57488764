// The ambient node: lets seed-style code (`new StagingTaskRunner(serverId)`) find its node without injection.
import { AsyncLocalStorage } from 'node:async_hooks';
import { SyncbusError } from '../errors';
import type { ServiceResolver } from './provider';

const scope = new AsyncLocalStorage<ServiceResolver>();
const running = new Set<ServiceResolver>();

/** The kernel records each running node here (internal to the kernel). */
export const nodeRegistry = {
  add: (node: ServiceResolver) => void running.add(node),
  delete: (node: ServiceResolver) => void running.delete(node),
};

/** Runs `fn` with `node` as the ambient node (event handlers and module hooks run this way). */
export function runInNode<T>(node: ServiceResolver, fn: () => T): T {
  return scope.run(node, fn);
}

/**
 * The node the current code runs for: the one whose event handler or module hook is running, or else the only
 * node in this process. Used only by constructors that mirror Kentico's static API; services inject instead.
 */
export function currentNode(): ServiceResolver {
  const node = scope.getStore();
  if (node) return node;
  if (running.size === 1) return running.values().next().value!;
  throw new SyncbusError(
    'NO_CURRENT_NODE',
    running.size === 0
      ? 'No syncbus node is running in this process; boot a Kernel first.'
      : 'Several syncbus nodes run in this process and this code runs outside any of them; inject the service instead of constructing it.',
  );
}
