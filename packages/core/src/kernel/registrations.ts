// Lets a module find and build the registered classes of a kind (e.g. connectors) that this node loaded.
import type { Newable } from '../registry/registration';

/** Registered classes of this node, by kind, built through the container. */
export const Registrations = Symbol('Registrations');
/** Registered classes of this node, by kind (inject with `@inject(Registrations)`). */
export interface Registrations {
  /** Classes of `kind` loaded from plugins or passed to the kernel, in load order. */
  classes(kind: string): readonly Newable[];
  /** The npm package a class came from, or undefined for one passed to `Kernel.boot({ modules })`. */
  packageOf(type: Newable): string | undefined;
  /** The singleton instance of a registered class, built with constructor injection. */
  instance<T>(type: Newable<T>): T;
}
