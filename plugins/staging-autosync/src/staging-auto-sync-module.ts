// The seed's LogTaskHandlers module for staging, done well: tasks synchronized as soon as they are logged.
import { inject, Module, RegisterModule, type ConfigProblem } from '@syncbus/core';
import { StagingEvents, StagingModule } from '@syncbus/staging';
import type { Subscription } from 'rxjs';
import { StagingAutoSyncScheduler } from './staging-auto-sync-scheduler';
import { StagingAutoSyncSettings, StagingAutoSyncSettingsSchema } from './staging-auto-sync-settings';

/**
 * Subscribes to `StagingEvents.logTask.after` and kicks the drain loop of every server, so each task goes to every
 * server it is pending for at once, in batches, one request in flight per server unless configured. The
 * scheduler's own `onStart` drains what was left pending; its `onStop` (after this module's, which unsubscribes)
 * lets the batches in flight finish and gives the leases back.
 */
@RegisterModule({
  dependsOn: [StagingModule],
  providers: [StagingAutoSyncScheduler],
  settings: [
    { key: 'stagingAutoSync', schema: StagingAutoSyncSettingsSchema, token: StagingAutoSyncSettings },
  ],
})
export class StagingAutoSyncModule extends Module {
  private subscription?: Subscription;

  constructor(
    @inject(StagingEvents) private readonly events: StagingEvents,
    @inject(StagingAutoSyncScheduler) private readonly scheduler: StagingAutoSyncScheduler,
  ) {
    super('StagingAutoSync');
  }

  override onInit(): void {
    // Only a flag is set here: the commit that fired the event never waits for a target.
    this.subscription = this.events.logTask.after.subscribe(() => this.scheduler.kick());
  }

  override onCheck(): Promise<ConfigProblem[]> {
    return this.scheduler.serverProblems();
  }

  override onStop(): void {
    this.subscription?.unsubscribe();
  }
}
