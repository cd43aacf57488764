// The emitting half of staging's events: staging's own services emit through it, and since the package does not
// export it, nothing else can fake a staging event.
import { AfterEventEmitter, inject, injectable, SyncEventEmitter, SyncEventFactory } from '@syncbus/core';
import type {
  StagingConflictEventArgs,
  StagingProcessTaskEventArgs,
  StagingSynchronizedArgs,
  StagingTaskEventArgs,
} from './staging-events';

/** Staging's event emitters; `StagingEvents` hands out their subscribe-only events. */
@injectable()
export class StagingEventEmitters {
  readonly logTask: SyncEventEmitter<StagingTaskEventArgs>;
  readonly processTask: SyncEventEmitter<StagingProcessTaskEventArgs>;
  readonly synchronized: AfterEventEmitter<StagingSynchronizedArgs>;
  readonly conflict: SyncEventEmitter<StagingConflictEventArgs>;

  constructor(@inject(SyncEventFactory) factory: SyncEventFactory) {
    this.logTask = factory.create('staging.logTask');
    this.processTask = factory.create('staging.processTask');
    this.synchronized = factory.createAfter('staging.synchronized');
    this.conflict = factory.create('staging.conflict');
  }
}
