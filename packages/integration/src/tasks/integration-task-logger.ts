// Turns changes of subscribed objects into outgoing tasks, inside the change's transaction (the outbox).
import {
  EventCancelledError,
  inject,
  injectable,
  Logger,
  ObjectTypes,
  type ChangeContext,
  type ChangeOrigin,
  type ObjectChange,
  type ObjectChangeListener,
  type ObjectSnapshot,
} from '@syncbus/core';
import { ObjectSerializer } from '@syncbus/core/internal';
import { randomUUID } from 'node:crypto';
import { selectSubscription, type SelectedSubscription } from '../connectors/connector-subscription';
import { IntegrationConnectorRegistry } from '../connectors/integration-connector-registry';
import type { LoadedConnector } from '../connectors/loaded-connector';
import { IntegrationEventEmitters } from '../integration-event-emitters';
import { IntegrationEvents } from '../integration-events';
import { SynchronousProcessingError } from '../integration-errors';
import { IntegrationSettings } from '../integration-settings';
import { callForVerdict } from '../processing/connector-call';
import { IntegrationProcessResult } from '../processing/integration-process-result';
import { IntegrationSyncLog } from '../processing/integration-sync-log';
import type { IntegrationTask } from './integration-task';
import { IntegrationTaskStore } from './integration-task-store';
import { collectRelatedObjects } from './related-objects';

/**
 * Kentico's internal task logging. For each enabled connector with a matching subscription (the highest-priority
 * one wins): a queued subscription writes one task and one synchronization row with the change; a synchronous
 * one calls the connector right here, and its Error aborts the change. A change that came in from a connector
 * is never sent back to that connector. `logInternalTask.before` may amend the task or cancel it for that
 * connector (the change itself goes on); `after` fires once the change committed.
 */
@injectable()
export class IntegrationTaskLogger implements ObjectChangeListener {
  constructor(
    @inject(IntegrationSettings) private readonly settings: IntegrationSettings,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationEvents) private readonly events: IntegrationEvents,
    @inject(IntegrationEventEmitters) private readonly emitters: IntegrationEventEmitters,
    @inject(IntegrationTaskStore) private readonly store: IntegrationTaskStore,
    @inject(IntegrationSyncLog) private readonly syncLog: IntegrationSyncLog,
    @inject(ObjectTypes) private readonly types: ObjectTypes,
    @inject(ObjectSerializer) private readonly serializer: ObjectSerializer,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  wantsChange(objectType: string, taskType: string, origin: ChangeOrigin | undefined): boolean {
    if (!this.settings.enabled || !this.settings.logInternal) return false;
    return this.registry
      .all()
      .some(
        (c) =>
          c.enabled &&
          origin?.connector !== c.name &&
          selectSubscription(c.instance.subscriptions, objectType, taskType) !== undefined,
      );
  }

  async onObjectChange(change: ObjectChange, context: ChangeContext): Promise<void> {
    if (!this.settings.enabled || !this.settings.logInternal) return;
    let related: ObjectSnapshot[] | undefined;
    for (const connector of this.registry.all()) {
      if (!connector.enabled || change.origin?.connector === connector.name) continue;
      const selected = selectSubscription(
        connector.instance.subscriptions,
        change.snapshot.objectType,
        change.taskType,
      );
      if (!selected) continue;
      if (selected.dataType === 'snapshot') {
        related ??= await collectRelatedObjects(
          change.snapshot,
          context.manager,
          this.types,
          this.serializer,
        );
      }
      let task = this.draft(change, selected, selected.dataType === 'snapshot' ? related! : []);
      try {
        ({ task } = await this.events.logInternalTask.before.raise({ task, connectorName: connector.name }));
      } catch (error) {
        if (!(error instanceof EventCancelledError)) throw error;
        this.logger.debug(
          { connector: connector.name, reason: error.reason },
          'outgoing task cancelled by a handler',
        );
        continue;
      }
      // A connector that cannot work now gets its synchronous tasks queued instead: nothing is lost meanwhile.
      if (selected.processType === 'sync' && !connector.problem) {
        const queueIt = await this.processSynchronously(connector, task);
        if (!queueIt) continue;
      }
      const stored = await this.store.insert(context.manager, task, connector.id, 'outgoing');
      // No wake of the drain here: processing at once is what the seed's handler or the auto-sync plugin adds
      // (their switches decide); without them the drain finds the task on its poll (`integration.pollIntervalMs`).
      context.afterCommit(() =>
        this.emitters.logInternalTask.emitAfter({ task: stored, connectorName: connector.name }),
      );
    }
  }

  private draft(
    change: ObjectChange,
    selected: SelectedSubscription,
    related: ObjectSnapshot[],
  ): IntegrationTask {
    const { snapshot } = change;
    return {
      id: 0,
      guid: randomUUID(),
      inbound: false,
      taskType: change.taskType,
      objectType: snapshot.objectType,
      objectGuid: snapshot.objectGuid,
      title: snapshot.title ?? snapshot.objectGuid,
      dataType: selected.dataType,
      processType: selected.processType,
      createdAt: new Date(),
      user: change.user,
      object: snapshot,
      related,
    };
  }

  /** Calls the connector inside the change. Resolves true when the task should be queued (SkipNow). */
  private async processSynchronously(connector: LoadedConnector, task: IntegrationTask): Promise<boolean> {
    const method = `${connector.name}.processTaskInChange`;
    const verdict = await callForVerdict(
      () => connector.instance.processTaskInChange(task),
      this.settings.callTimeoutMs,
      method,
    );
    if (verdict.result === IntegrationProcessResult.OK) return false;
    if (verdict.result === IntegrationProcessResult.SkipNow) return true;
    const message = verdict.message ?? `the connector answered ${verdict.result}`;
    // Not in the change's transaction: an Error rolls that back, and the history must stay. On SQLite this write
    // queues behind the change's transaction, so it is not awaited here.
    void this.syncLog
      .record(connector.id, task, verdict.result, message)
      .catch((error) =>
        this.logger.error({ err: error, connector: connector.name }, 'could not record a sync log entry'),
      );
    if (verdict.result === IntegrationProcessResult.ErrorAndSkip) return false;
    throw new SynchronousProcessingError(connector.name, task.objectType, task.objectGuid, message);
  }
}
