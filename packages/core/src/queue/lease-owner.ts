// Who holds a lease: one id format for every claimer, so an operator can tell which process holds which rows.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** A new lease owner id, unique per claimer: `<host>:<pid>:<random>` (the process, then the claimer in it). */
export function newLeaseOwner(): string {
  return `${thisProcess()}:${randomUUID().slice(0, 8)}`;
}

/** This process as lease owners and `syncbus workers list` name it: `<host>:<pid>`. */
export function thisProcess(): string {
  return `${hostname()}:${process.pid}`;
}

/** The process (`<host>:<pid>`) of a lease owner id; the id itself when it is not in that format. */
export function leaseOwnerProcess(owner: string): string {
  const cut = owner.lastIndexOf(':');
  return cut > 0 ? owner.slice(0, cut) : owner;
}

/** Lease counts summed by process, from `[process, count]` pairs of any number of sources (queues, tables). */
export function sumByProcess(...sources: Iterable<readonly [string, number]>[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const source of sources)
    for (const [process, n] of source) held.set(process, (held.get(process) ?? 0) + n);
  return held;
}
