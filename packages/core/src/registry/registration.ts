// Decorators only record metadata; this file is where they record it, process-wide, so that a plugin that
// bundles its own copy of @syncbus/core still registers into the one registry the kernel reads.
import 'reflect-metadata';

/** What a decorator recorded about a class: its kind (module, connector, ...) and the decorator's options. */
export interface Registration<TOptions = unknown> {
  readonly kind: string;
  readonly options: TOptions;
}

/** A class constructor, as decorators and the kernel see it. */
export type Newable<T = unknown> = new (...args: any[]) => T;

const registrationKey = Symbol.for('syncbus:registration');
const globalKey = Symbol.for('syncbus:registered-classes');

function registeredList(): Newable[] {
  const holder = globalThis as unknown as Record<symbol, Newable[] | undefined>;
  return (holder[globalKey] ??= []);
}

/** Records that `target` is a registered class of `kind`. Called by decorators such as `@RegisterModule`. */
export function registerClass<TOptions>(kind: string, target: Newable, options: TOptions): void {
  Reflect.defineMetadata(registrationKey, { kind, options } satisfies Registration<TOptions>, target);
  registeredList().push(target);
}

/** The registration of a class, or undefined when no syncbus decorator marked it. */
export function registrationOf<TOptions = unknown>(target: unknown): Registration<TOptions> | undefined {
  if (typeof target !== 'function') return undefined;
  return Reflect.getOwnMetadata(registrationKey, target) as Registration<TOptions> | undefined;
}

/** How many classes have registered so far; the plugin loader compares it before and after an import. */
export function registrationCount(): number {
  return registeredList().length;
}

/** Classes registered since `from` (a value of `registrationCount()`). */
export function registeredSince(from: number): Newable[] {
  return registeredList().slice(from);
}
