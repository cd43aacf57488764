// `@IntegrationConnector`: the decorator a connector package puts on its class; it only records metadata.
import { injectable, injectFromHierarchy, type Newable } from '@syncbus/core';
import { registerClass, registrationOf } from '@syncbus/core/internal';
import type { ZodType } from 'zod';

/** What a connector declares about itself. */
export interface IntegrationConnectorOptions<TConfig = unknown> {
  /** The connector's name (Kentico's ConnectorName): config entries, tables and incoming routes use it. */
  readonly name: string;
  /** Shown in lists; defaults to the name. */
  readonly displayName?: string;
  /** The connector's own version, shown with its row. */
  readonly version?: string;
  /** Schema of the connector's `config` (zod); validated at start, every problem reported by path. */
  readonly configSchema?: ZodType<TConfig>;
}

/** The registration kind of connectors (the kernel collects classes of every kind from plugins). */
export const CONNECTOR_KIND = 'connector';

/**
 * Registers an integration connector class (Kentico's connector registration). The bus builds it through the
 * container (constructor injection with explicit `@inject`) when the node starts.
 */
export function IntegrationConnector<TConfig>(options: IntegrationConnectorOptions<TConfig>): ClassDecorator {
  if (!/^[A-Za-z0-9_.-]+$/.test(options.name)) {
    throw new Error(
      `@IntegrationConnector name '${options.name}' is not valid; use letters, digits, dot, dash or underscore.`,
    );
  }
  return (target) => {
    // A subclass (a second named instance of a published connector) gets its base classes' injections: without a
    // constructor of its own it is built with them, with one its own arguments take their places by index.
    injectFromHierarchy({ extendConstructorArguments: true, extendProperties: true })(target);
    injectable()(target as unknown as Newable);
    registerClass(CONNECTOR_KIND, target as unknown as Newable, options);
  };
}

/** The options recorded by `@IntegrationConnector`, or undefined for a class that is not a connector. */
export function connectorOptionsOf(target: unknown): IntegrationConnectorOptions | undefined {
  const registration = registrationOf<IntegrationConnectorOptions>(target);
  return registration?.kind === CONNECTOR_KIND ? registration.options : undefined;
}
