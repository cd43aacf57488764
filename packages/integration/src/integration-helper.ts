// Kentico's IntegrationHelper: the connector instances, and logging incoming tasks from code.
import { inject, injectable, type TaskType } from '@syncbus/core';
import type { BaseIntegrationConnector } from './connectors/base-integration-connector';
import { IntegrationConnectorRegistry } from './connectors/integration-connector-registry';
import { IncomingTaskLog, type ExternalTaskInput } from './incoming/incoming-task-log';
import type { IntegrationTask } from './tasks/integration-task';

/** Options of `processExternalTask` besides the object and task type. */
export type ExternalTaskOptions = Omit<ExternalTaskInput, 'externalObject' | 'taskType'>;

/** Entry points user code calls, as in the seed. */
@injectable()
export class IntegrationHelper {
  constructor(
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IncomingTaskLog) private readonly incoming: IncomingTaskLog,
  ) {}

  /** The instance of the connector named `name`, or undefined when none is loaded. */
  getConnector(name: string): BaseIntegrationConnector | undefined {
    return this.registry.find(name)?.instance;
  }

  /**
   * Logs an incoming task for `connectorName` (Kentico's ProcessExternalTask); the processor then has the
   * connector's `prepareInternalObject` map it and applies it to the host. Resolves once the task is committed.
   * Throws `ConnectorNotFoundError`, `IntegrationDisabledError`, `EventCancelledError` when a
   * `logExternalTask.before` handler cancelled it, or `DuplicateExternalTaskError` when `options.guid` names a task
   * this connector already received (acknowledge such a redelivery: the first one takes effect).
   */
  async processExternalTask(
    connectorName: string,
    externalObject: unknown,
    taskType: TaskType,
    options: ExternalTaskOptions,
  ): Promise<IntegrationTask> {
    const connector = this.registry.get(connectorName);
    const [result] = await this.incoming.log(connector, [{ ...options, externalObject, taskType }]);
    if (result instanceof Error) throw result;
    return result;
  }
}
