// `@RegisterModule`: the decorator a host or plugin puts on its Module class; it only records metadata.
import { injectable } from 'inversify';
import type { ZodType } from 'zod';
import type { ConfigProblem } from '../errors';
import { registerClass, registrationOf, type Newable } from '../registry/registration';
import type { Module } from './module';
import type { Provider, ServiceIdentifier } from './provider';

/** A settings section a module adds to the one config schema, bound in the container under `token`. */
export interface SettingsSection<T = unknown> {
  /** Top-level key in the config file, e.g. `staging`. */
  readonly key: string;
  readonly schema: ZodType<T>;
  /** Token the parsed section is bound to, for `@inject(token)`. */
  readonly token: ServiceIdentifier<T>;
  /**
   * Checks the parsed section against what the node loaded (every registered class: modules, connectors, ...),
   * for what the schema alone cannot know, e.g. that a named connector exists. Runs wherever the config is
   * validated (`syncbus config check` and every start), so both refuse the same configs.
   */
  readonly check?: (value: T, classes: readonly Newable[]) => readonly ConfigProblem[];
}

/** What a module declares about itself. Everything is optional. */
export interface ModuleOptions {
  /** Modules that must init and start before this one (and stop after it); they are loaded too. */
  readonly dependsOn?: readonly ModuleClass[];
  /** Services this module contributes to the container. */
  readonly providers?: readonly Provider[];
  /** TypeORM entities this module stores. */
  readonly entities?: readonly (Function | string)[];
  /** TypeORM migrations that create and change those entities' tables. */
  readonly migrations?: readonly Function[];
  /** Config sections this module reads. */
  readonly settings?: readonly SettingsSection<any>[];
}

/** A class that extends `Module`. */
export type ModuleClass<T extends Module = Module> = Newable<T>;

/** The registration kind of modules. */
export const MODULE_KIND = 'module';

/**
 * Registers a module class with the system (Kentico's `[assembly: RegisterModule(typeof(X))]`).
 * It records metadata only; the kernel builds the module through the container when it boots.
 */
export function RegisterModule(options: ModuleOptions = {}): ClassDecorator {
  return (target) => {
    injectable()(target as unknown as Newable);
    registerClass(MODULE_KIND, target as unknown as Newable, options);
  };
}

/** The options recorded by `@RegisterModule`, or undefined for a class that is not a module. */
export function moduleOptionsOf(target: unknown): ModuleOptions | undefined {
  const registration = registrationOf<ModuleOptions>(target);
  return registration?.kind === MODULE_KIND ? registration.options : undefined;
}
