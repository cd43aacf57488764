// The integration bus's events (Kentico's IntegrationEvents), each a cancellable before and an observable after.
import { inject, injectable, type SyncEvent } from '@syncbus/core';
import { IntegrationEventEmitters } from './integration-event-emitters';
import type { IntegrationTaskEventArgs } from './tasks/integration-task';

/**
 * `logInternalTask`: an outgoing task is about to be logged for a connector (before: cancel to not log it for
 * that connector, or amend the task) / was logged and committed (after: `args.task` carries its id; only the bus
 * itself emits).
 * `logExternalTask`: the same for an incoming task. Subscribe in a module's `onInit`.
 */
@injectable()
export class IntegrationEvents {
  readonly logInternalTask: SyncEvent<IntegrationTaskEventArgs>;
  readonly logExternalTask: SyncEvent<IntegrationTaskEventArgs>;

  constructor(@inject(IntegrationEventEmitters) emitters: IntegrationEventEmitters) {
    this.logInternalTask = emitters.logInternalTask.event;
    this.logExternalTask = emitters.logExternalTask.event;
  }
}
