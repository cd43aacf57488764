// One-method lifecycle interfaces (NestJS's OnModuleInit style): any provider a module registers may implement
// them, and the kernel finds them by the method, so a module no longer forwards its hooks to its services.

/** Runs once storage is ready and every module is built, before any `onStart`; wire event handlers here. */
export interface OnInit {
  /** Called once, in dependency order; may be async (the kernel awaits it). */
  onInit(): void | Promise<void>;
}

/** Runs after every `onInit` (and every module's `onCheck`); start background work here. */
export interface OnStart {
  /** Called once, in dependency order; may be async (the kernel awaits it). */
  onStart(): void | Promise<void>;
}

/**
 * Runs when the node stops, or when its boot fails after this provider's `onInit`; end what `onInit` and
 * `onStart` began. It also runs on a node booted with `start: false`, whose `onStart` never ran.
 */
export interface OnStop {
  /** Called once, in reverse dependency order; may be async (the kernel awaits it). */
  onStop(): void | Promise<void>;
}

/** The hooks the kernel calls, in the order of a node's life. */
export type LifecycleHook = 'onInit' | 'onStart' | 'onStop';

const HOOKS: readonly LifecycleHook[] = ['onInit', 'onStart', 'onStop'];

/** Whether `value` (an instance, or a class's prototype) has a method of one of the lifecycle hooks. */
export function hasLifecycleHook(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return HOOKS.some((hook) => typeof (value as Record<string, unknown>)[hook] === 'function');
}
