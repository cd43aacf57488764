// The base class every syncbus module extends, as Kentico's CMS.DataEngine.Module: a name and lifecycle hooks.
import type { ConfigProblem } from '../errors';
import type { OnInit, OnStart, OnStop } from './lifecycle-hooks';

/**
 * A unit of behaviour the kernel builds through the container and drives through its lifecycle.
 * `onInit` wires event handlers, `onStart` starts work, `onStop` ends it. Hooks may be async; they run in
 * dependency order and stop runs in reverse. In each phase every provider's hook (`OnInit`, `OnStart`) runs
 * before any module's, and on stop every module's `onStop` runs before any provider's: a module is built from
 * its services, so it comes after them. Background work of a service belongs in the service's own hooks.
 */
export abstract class Module implements OnInit, OnStart, OnStop {
  /** @param name the name the system registers the module under (shown in logs and errors). */
  protected constructor(readonly name: string) {}

  /** Runs once after every module is built and storage is ready; wire event handlers here. */
  onInit(): void | Promise<void> {}

  /**
   * Checks the config against what storage holds (a section that names database rows, such as servers); runs
   * after every `onInit`, before any `onStart`, and for `syncbus config check`. Return the problems by config
   * path; the kernel refuses to start with all of them in one `ConfigError`.
   */
  onCheck(): readonly ConfigProblem[] | Promise<readonly ConfigProblem[]> {
    return [];
  }

  /** Runs after every module's `onInit` and `onCheck`; start background work here. */
  onStart(): void | Promise<void> {}

  /** Runs on shutdown, in reverse dependency order; finish or hand back in-flight work here. */
  onStop(): void | Promise<void> {}
}
