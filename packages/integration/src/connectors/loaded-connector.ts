// One connector as the bus holds it at run time: its instance, row id, state, and why it cannot work (if so).
import type { Secret } from '@syncbus/core';
import type { BaseIntegrationConnector } from './base-integration-connector';

/** Why a loaded connector cannot process tasks now. `check` problems clear when a later check passes. */
export interface ConnectorProblem {
  readonly kind: 'config' | 'init' | 'check';
  readonly message: string;
}

/**
 * Whether the connector's config validated (and `connectors` lists it): only then does the bus call it beyond
 * `init()`, so its `config` is what its schema says wherever it is read.
 */
export function hasValidConfig(connector: LoadedConnector): boolean {
  return connector.problem?.kind !== 'config';
}

/** A loaded connector. `enabled` and `problem` change at run time; the rest is fixed at start. */
export interface LoadedConnector {
  /** Row id in `integration_connector`, the target id of its queues. */
  readonly id: number;
  readonly name: string;
  readonly displayName: string;
  readonly packageName?: string;
  readonly instance: BaseIntegrationConnector;
  /** Whether the config's "connectors" section lists it; an unlisted connector stays off whatever its row says. */
  readonly listed: boolean;
  /** Whether it works now: listed, and switched on in its row (re-read by the drain every pass). */
  enabled: boolean;
  /** Paused by an operator (re-read by the drain every pass): tasks are logged, none is processed. */
  paused: boolean;
  problem?: ConnectorProblem;
  /** Token external systems present to post incoming tasks; undefined: incoming HTTP is refused. */
  readonly incomingToken?: Secret;
}
