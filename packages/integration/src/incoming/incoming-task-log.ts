// Logs incoming tasks: before-events per task, one transaction for all, after-events once committed.
import { EventCancelledError, inject, injectable, Storage, type TaskType } from '@syncbus/core';
import { randomUUID } from 'node:crypto';
import type { IntegrationDataType } from '../connectors/connector-subscription';
import type { LoadedConnector } from '../connectors/loaded-connector';
import { IntegrationEvents } from '../integration-events';
import { IntegrationDisabledError } from '../integration-errors';
import { IntegrationSettings } from '../integration-settings';
import { IntegrationTaskProcessor } from '../processing/integration-task-processor';
import type { IntegrationTask } from '../tasks/integration-task';
import { IntegrationTaskStore } from '../tasks/integration-task-store';

/** An incoming task as a sender describes it. */
export interface ExternalTaskInput {
  readonly externalObject: unknown;
  readonly taskType: TaskType;
  /** The host object type the external object becomes (the connector's `prepareInternalObject` decides finally). */
  readonly objectType: string;
  /** The sender's id of the object: later tasks of the same id wait for an earlier failed one. */
  readonly externalId?: string;
  readonly title?: string;
  readonly dataType?: IntegrationDataType;
  readonly user?: string;
}

/** Writes incoming tasks for a connector's incoming queue. */
@injectable()
export class IncomingTaskLog {
  constructor(
    @inject(IntegrationSettings) private readonly settings: IntegrationSettings,
    @inject(Storage) private readonly storage: Storage,
    @inject(IntegrationEvents) private readonly events: IntegrationEvents,
    @inject(IntegrationTaskStore) private readonly store: IntegrationTaskStore,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
  ) {}

  /** Throws `IntegrationDisabledError` when incoming tasks are not accepted now. */
  assertAccepting(): void {
    if (!this.settings.enabled)
      throw new IntegrationDisabledError('integration.enabled', 'The integration bus');
    if (!this.settings.logExternal)
      throw new IntegrationDisabledError('integration.logExternal', 'Logging of incoming tasks');
  }

  /**
   * Logs the inputs in one transaction. Each result is the stored task, or the `EventCancelledError` of a
   * `logExternalTask.before` handler that cancelled that task (it is not logged; the others are).
   */
  async log(
    connector: LoadedConnector,
    inputs: readonly ExternalTaskInput[],
  ): Promise<(IntegrationTask | EventCancelledError)[]> {
    this.assertAccepting();
    const drafts: (IntegrationTask | EventCancelledError)[] = [];
    for (const input of inputs) {
      const guid = randomUUID();
      const draft: IntegrationTask = {
        id: 0,
        guid,
        inbound: true,
        taskType: input.taskType,
        objectType: input.objectType,
        objectGuid: input.externalId ?? guid,
        title: input.title ?? input.externalId ?? guid,
        dataType: input.dataType ?? 'simple',
        processType: 'async',
        createdAt: new Date(),
        user: input.user,
        related: [],
        externalObject: input.externalObject,
      };
      try {
        drafts.push(
          (await this.events.logExternalTask.before.raise({ task: draft, connectorName: connector.name }))
            .task,
        );
      } catch (error) {
        if (!(error instanceof EventCancelledError)) throw error;
        drafts.push(error);
      }
    }
    const results = await this.storage.transaction(async (manager) => {
      const stored: (IntegrationTask | EventCancelledError)[] = [];
      for (const draft of drafts) {
        stored.push(
          draft instanceof EventCancelledError
            ? draft
            : await this.store.insert(manager, draft, connector.id, 'incoming'),
        );
      }
      return stored;
    });
    this.processor.wake(connector.id);
    for (const task of results) {
      if (!(task instanceof EventCancelledError))
        this.events.logExternalTask.after.emit({ task, connectorName: connector.name });
    }
    return results;
  }
}
