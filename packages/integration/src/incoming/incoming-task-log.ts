// Logs incoming tasks: before-events per task, one transaction for all, after-events once committed.
import { EventCancelledError, inject, injectable, Storage, SyncbusError, type TaskType } from '@syncbus/core';
import { sqlExecutorFor } from '@syncbus/core/internal';
import { randomUUID } from 'node:crypto';
import type { IntegrationDataType } from '../connectors/connector-subscription';
import { hasValidConfig, type LoadedConnector } from '../connectors/loaded-connector';
import { IntegrationEventEmitters } from '../integration-event-emitters';
import { IntegrationEvents } from '../integration-events';
import { IntegrationDisabledError, InvalidIncomingTaskError } from '../integration-errors';
import { IntegrationSettings } from '../integration-settings';
import type { IntegrationTask } from '../tasks/integration-task';
import { IntegrationTaskStore } from '../tasks/integration-task-store';
import { DuplicateExternalTaskError } from './duplicate-external-task.error';

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
  /**
   * The sender's id of this task (at most 36 characters: a UUID, a message id), used as the task's guid. A guid
   * this connector already received is not logged again (it is answered as a duplicate), so a sender that
   * redelivers after a crash or a lost acknowledgement changes the host once. Without it every call logs a task.
   */
  readonly guid?: string;
}

/** One input's outcome: the stored task, or why it was not logged. */
export type LoggedExternalTask = IntegrationTask | EventCancelledError | DuplicateExternalTaskError;

/** Writes incoming tasks for a connector's incoming queue. */
@injectable()
export class IncomingTaskLog {
  constructor(
    @inject(IntegrationSettings) private readonly settings: IntegrationSettings,
    @inject(Storage) private readonly storage: Storage,
    @inject(IntegrationEvents) private readonly events: IntegrationEvents,
    @inject(IntegrationEventEmitters) private readonly emitters: IntegrationEventEmitters,
    @inject(IntegrationTaskStore) private readonly store: IntegrationTaskStore,
  ) {}

  /** Throws `IntegrationDisabledError` when incoming tasks are not accepted now. */
  assertAccepting(): void {
    if (!this.settings.enabled)
      throw new IntegrationDisabledError('integration.enabled', 'The integration bus');
    if (!this.settings.logExternal)
      throw new IntegrationDisabledError('integration.logExternal', 'Logging of incoming tasks');
  }

  /**
   * Logs the inputs in one transaction. Each result is the stored task, the `EventCancelledError` of a
   * `logExternalTask.before` handler that cancelled that task, or a `DuplicateExternalTaskError` for a guid the
   * connector already received (neither is logged; the others are). Throws `InvalidIncomingTaskError`, logging
   * nothing, when the connector's `incomingTaskProblems` finds a task it could never apply.
   */
  async log(connector: LoadedConnector, inputs: readonly ExternalTaskInput[]): Promise<LoggedExternalTask[]> {
    this.assertAccepting();
    for (const input of inputs) {
      if (input.guid !== undefined && (input.guid.length === 0 || input.guid.length > 36)) {
        throw new SyncbusError(
          'INVALID_TASK_GUID',
          `An incoming task guid must be 1 to 36 characters, got ${input.guid.length}; send a UUID or hash longer ids.`,
        );
      }
    }
    // A connector whose config was refused is not asked: its tasks wait, and one it cannot apply fails then.
    const problems = inputs.flatMap((input, index) =>
      !hasValidConfig(connector)
        ? []
        : connector.instance.incomingTaskProblems(input).map((p) => ({ ...p, path: `${index}.${p.path}` })),
    );
    if (problems.length > 0) throw new InvalidIncomingTaskError(connector.name, problems);
    const drafts: (IntegrationTask | EventCancelledError)[] = [];
    for (const input of inputs) {
      const guid = input.guid ?? randomUUID();
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
      const sql = sqlExecutorFor(this.storage, manager);
      const stored: LoggedExternalTask[] = [];
      for (const [index, draft] of drafts.entries()) {
        const senderGuid = inputs[index].guid;
        if (draft instanceof EventCancelledError) {
          stored.push(draft);
          continue;
        }
        if (senderGuid !== undefined) {
          // The ledger row commits with the task: a crash before the commit logs neither, after it both. No prior
          // SELECT: of two concurrent deliveries (PostgreSQL), the second's insert waits on the unique index for
          // the first to commit and then inserts nothing, so it is answered as a duplicate instead of failing.
          const inserted = await sql.run(
            `INSERT INTO integration_received_task (connector_id, task_guid, received_at) VALUES (?, ?, ?)
               ON CONFLICT (connector_id, task_guid) DO NOTHING`,
            [connector.id, senderGuid, Date.now()],
          );
          if (inserted === 0) {
            stored.push(new DuplicateExternalTaskError(connector.name, senderGuid));
            continue;
          }
        }
        stored.push(await this.store.insert(manager, draft, connector.id, 'incoming'));
      }
      return stored;
    });
    // No wake of the drain here: the auto-sync plugin processes at once when configured; else the drain's poll.
    for (const task of results) {
      if (!(task instanceof Error))
        this.emitters.logExternalTask.emitAfter({ task, connectorName: connector.name });
    }
    return results;
  }
}
