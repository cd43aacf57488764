// How a module declares the services it contributes, without touching the container (the kernel binds them).
import type { Newable } from '../registry/registration';

/** A token a service is bound to: a class or a symbol with an interface of the same name. */
export type ServiceIdentifier<T = unknown> =
  symbol | string | Newable<T> | (abstract new (...args: any[]) => T);

/** Resolves services inside a factory provider. */
export interface ServiceResolver {
  /** The service bound to `id` (built on first use; singletons are shared). */
  get<T>(id: ServiceIdentifier<T>): T;
}

/**
 * A service contribution: a class (bound to itself, singleton), or an explicit binding.
 * `useExisting` aliases a token to another (Theia's `toService`).
 */
export type Provider =
  | Newable
  | { provide: ServiceIdentifier; useClass: Newable }
  | { provide: ServiceIdentifier; useValue: unknown }
  | { provide: ServiceIdentifier; useExisting: ServiceIdentifier }
  | {
      provide: ServiceIdentifier;
      /** Builds the service once, from other services. */
      useFactory: (resolver: ServiceResolver) => unknown;
    };
