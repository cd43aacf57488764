// The emitting half of the integration bus's events: the bus's own services emit through it, and since the
// package does not export it, nothing else can fake an integration event.
import { inject, injectable, SyncEventEmitter, SyncEventFactory } from '@syncbus/core';
import type { IntegrationTaskEventArgs } from './tasks/integration-task';

/** The integration bus's event emitters; `IntegrationEvents` hands out their events. */
@injectable()
export class IntegrationEventEmitters {
  readonly logInternalTask: SyncEventEmitter<IntegrationTaskEventArgs>;
  readonly logExternalTask: SyncEventEmitter<IntegrationTaskEventArgs>;

  constructor(@inject(SyncEventFactory) factory: SyncEventFactory) {
    this.logInternalTask = factory.create('integration.logInternalTask');
    this.logExternalTask = factory.create('integration.logExternalTask');
  }
}
