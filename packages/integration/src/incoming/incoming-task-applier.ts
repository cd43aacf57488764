// Applies an incoming task to the host: the connector prepares the object, core's ObjectApplier writes it.
import {
  formatProblems,
  inject,
  injectable,
  ObjectApplyError,
  Storage,
  type ObjectSnapshot,
  zodProblems,
} from '@syncbus/core';
import { ObjectApplier } from '@syncbus/core/internal';
import { z } from 'zod';
import type { LoadedConnector } from '../connectors/loaded-connector';
import { IntegrationSettings } from '../integration-settings';
import { callWithTimeLimit, errorMessage } from '../processing/connector-call';
import { IntegrationProcessResult, type ProcessingVerdict } from '../processing/integration-process-result';
import type { IntegrationTask } from '../tasks/integration-task';

const ObjectSnapshotSchema = z.object({
  objectType: z.string().min(1),
  objectGuid: z.string().min(1),
  objectId: z.union([z.string(), z.number(), z.null()]).optional(),
  title: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});

// Errors retrying cannot fix; an unresolved reference may resolve once the referenced object arrives.
const RETRYABLE_APPLY_ERRORS = new Set(['UNRESOLVED_REFERENCE']);

/** Turns an incoming task into a host change, marked as coming from the connector so it is not echoed back. */
@injectable()
export class IncomingTaskApplier {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(ObjectApplier) private readonly applier: ObjectApplier,
    @inject(IntegrationSettings) private readonly settings: IntegrationSettings,
  ) {}

  /** Prepares and applies `task`; never throws, answers with the verdict to record. */
  async apply(connector: LoadedConnector, task: IntegrationTask): Promise<ProcessingVerdict> {
    const method = `${connector.name}.prepareInternalObject`;
    let prepared: unknown;
    try {
      prepared = await callWithTimeLimit(
        () =>
          connector.instance.prepareInternalObject(task.externalObject, task.taskType, {
            objectType: task.objectType,
            externalId: task.objectGuid === task.guid ? undefined : task.objectGuid,
            dataType: task.dataType,
          }),
        this.settings.callTimeoutMs,
        method,
      );
    } catch (error) {
      return { result: IntegrationProcessResult.Error, message: `${method} threw: ${errorMessage(error)}` };
    }
    const parsed = ObjectSnapshotSchema.safeParse(prepared);
    if (!parsed.success) {
      const problems = formatProblems(zodProblems(parsed.error), 'inline');
      return {
        result: IntegrationProcessResult.Error,
        final: true,
        message: `${method} did not return an object snapshot { objectType, objectGuid, data } (${problems})`,
      };
    }
    try {
      await this.storage.transaction((manager) =>
        this.applier.apply(manager, {
          taskType: task.taskType,
          snapshot: parsed.data as ObjectSnapshot,
          origin: { servers: [], connector: connector.name },
          user: task.user,
        }),
      );
      return { result: IntegrationProcessResult.OK };
    } catch (error) {
      const final = error instanceof ObjectApplyError && !RETRYABLE_APPLY_ERRORS.has(error.code);
      return { result: IntegrationProcessResult.Error, final, message: errorMessage(error) };
    }
  }
}
