// The task a connector receives: outgoing (a host object changed) or incoming (an external system sent a change).
import type { ObjectSnapshot, TaskType } from '@syncbus/core';
import type { IntegrationDataType, IntegrationProcessType } from '../connectors/connector-subscription';

/** One integration task (a row of `integration_task`). */
export interface IntegrationTask {
  /** Row id; 0 for a task that is never queued (synchronous processing) or not written yet (before-events). */
  readonly id: number;
  readonly guid: string;
  /** True for incoming (external) tasks. */
  readonly inbound: boolean;
  readonly taskType: TaskType;
  readonly objectType: string;
  /** Outgoing: the object's identity; incoming: the external id the sender gave (or the task guid). */
  readonly objectGuid: string;
  readonly title: string;
  readonly dataType: IntegrationDataType;
  readonly processType: IntegrationProcessType;
  readonly createdAt: Date;
  /** Who made the change, when known. */
  readonly user?: string;
  /** Outgoing: the changed object, references by identity. */
  readonly object?: ObjectSnapshot;
  /** Outgoing with data type `snapshot`: the objects the object references (transitively). */
  readonly related: readonly ObjectSnapshot[];
  /** Incoming: the object as the external system sent it. */
  readonly externalObject?: unknown;
}

/** The args of `IntegrationEvents.logInternalTask` and `logExternalTask` (Kentico's IntegrationTaskEventArgs). */
export interface IntegrationTaskEventArgs {
  /** The task; in a before-handler `id` is 0 (not written yet), and a handler may replace the task. */
  task: IntegrationTask;
  /** The connector the task is for. */
  readonly connectorName: string;
}
