// What a connector wants to hear about, and which of several matching subscriptions decides how a task is handled.
import type { TaskType } from '@syncbus/core';

/** Kentico's process types: `sync` calls the connector inside the logging call; `async` queues the task. */
export type IntegrationProcessType = 'sync' | 'async';
/** Kentico's data types: `simple` is the object; `snapshot` adds the objects it references. */
export type IntegrationDataType = 'simple' | 'snapshot';

/** Matches every object type or task type. */
export const ALL = '*';

/** A subscription a connector declares in `init()`. */
export interface ConnectorSubscription {
  /** Object type (e.g. `cms.article`) or `'*'` for all. */
  readonly objectType: string;
  /** Task type (`create`, `update`, `delete`, ...) or `'*'` for all. */
  readonly taskType: TaskType;
  readonly processType: IntegrationProcessType;
  readonly dataType: IntegrationDataType;
}

/** Process and data type chosen for one change. */
export interface SelectedSubscription {
  readonly processType: IntegrationProcessType;
  readonly dataType: IntegrationDataType;
}

// Kentico orders process types so the most demanding one wins: synchronous over queued, then snapshot over simple.
const rank = (s: SelectedSubscription) =>
  (s.processType === 'sync' ? 2 : 0) + (s.dataType === 'snapshot' ? 1 : 0);

/** The highest-priority subscription matching the change, or undefined when none matches. */
export function selectSubscription(
  subscriptions: readonly ConnectorSubscription[],
  objectType: string,
  taskType: TaskType,
): SelectedSubscription | undefined {
  let best: SelectedSubscription | undefined;
  for (const s of subscriptions) {
    if (s.objectType !== ALL && s.objectType !== objectType) continue;
    if (s.taskType !== ALL && s.taskType !== taskType) continue;
    if (!best || rank(s) > rank(best)) best = { processType: s.processType, dataType: s.dataType };
  }
  return best;
}
