// What one process of a node does, so web processes, workers and receivers can share one PostgreSQL node.

/**
 * The `role` setting (docs/scaling.md). `all` (default) delivers, processes and receives; `worker` delivers and
 * processes but serves no receiver route; `receiver` serves the receiver routes and applies what arrives, and
 * delivers nothing; `log-only` (a host application's web process) logs tasks in the host's transactions and
 * leaves delivery and receiving to the node's other processes.
 */
export const PROCESS_ROLES = ['all', 'worker', 'receiver', 'log-only'] as const;
/** One of `PROCESS_ROLES`: what a process of a node does. */
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** Whether a process of this role runs the background delivery of staging and integration tasks. */
export function roleDelivers(role: ProcessRole): boolean {
  return role === 'all' || role === 'worker';
}

/** Whether a process of this role serves the routes through which other systems send tasks. */
export function roleReceives(role: ProcessRole): boolean {
  return role === 'all' || role === 'receiver';
}
