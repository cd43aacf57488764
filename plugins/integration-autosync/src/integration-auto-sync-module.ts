// The seed's LogTaskHandlers module for the integration bus, done well: tasks processed as soon as they are logged.
import { CoreSettings, inject, Module, RegisterModule } from '@syncbus/core';
import { QueueWakeups, roleDelivers } from '@syncbus/core/internal';
import { IntegrationEvents, IntegrationModule, IntegrationTaskProcessor } from '@syncbus/integration';
import type { Subscription } from 'rxjs';
import {
  IntegrationAutoSyncSettings,
  IntegrationAutoSyncSettingsSchema,
} from './integration-auto-sync-settings';
import { IntegrationAutoSyncTrigger } from './integration-auto-sync-trigger';

/**
 * Subscribes to `IntegrationEvents.logInternalTask.after` (outgoing) and `logExternalTask.after` (incoming) and has
 * the connector's drain process the task at once. Connectors: `integrationAutoSync.connectors`, default every
 * enabled one. Starting and stopping the drains stays with the integration module (it stops after this one).
 */
@RegisterModule({
  dependsOn: [IntegrationModule],
  providers: [IntegrationAutoSyncTrigger],
  settings: [
    {
      key: 'integrationAutoSync',
      schema: IntegrationAutoSyncSettingsSchema,
      token: IntegrationAutoSyncSettings,
    },
  ],
})
export class IntegrationAutoSyncModule extends Module {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    @inject(IntegrationEvents) private readonly events: IntegrationEvents,
    @inject(IntegrationAutoSyncTrigger) private readonly trigger: IntegrationAutoSyncTrigger,
    @inject(IntegrationAutoSyncSettings) private readonly settings: IntegrationAutoSyncSettings,
    @inject(QueueWakeups) private readonly wakeups: QueueWakeups,
    @inject(CoreSettings) private readonly core: CoreSettings,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
  ) {
    super('IntegrationAutoSync');
  }

  /** Connectors are loaded by now (the integration module's `onInit` ran first): check the names, subscribe. */
  override onInit(): void {
    this.trigger.validate();
    if (this.settings.outgoing)
      this.subscriptions.push(this.events.logInternalTask.after.subscribe((e) => this.trigger.taskLogged(e)));
    if (this.settings.incoming)
      this.subscriptions.push(this.events.logExternalTask.after.subscribe((e) => this.trigger.taskLogged(e)));
  }

  override onStart(): void {
    // A process that processes nothing (its role) has no drain to wake.
    if (!roleDelivers(this.core.role)) return;
    // Tasks logged by other processes on the same PostgreSQL database wake their connector at commit.
    const wake = ({ payload }: { payload?: string }) =>
      this.trigger.wakeConnector(payload === undefined ? undefined : Number(payload));
    for (const direction of ['outgoing', 'incoming'] as const)
      if (this.settings[direction])
        this.subscriptions.push(this.wakeups.on(this.processor.wakeupChannel(direction)).subscribe(wake));
    this.trigger.wakeAll();
  }

  override onStop(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }
}
