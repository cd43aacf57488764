// A connector that appends every task it handles, with the pid of the process that handled it, to a file its
// config names: the processes of one node share the file, so a test in another process sees who did the work.
import type { ObjectSnapshot, TaskType } from '@syncbus/core';
import {
  BaseIntegrationConnector,
  IntegrationConnector,
  type IncomingTaskContext,
  type ProcessingOutcome,
} from '@syncbus/integration/sdk';
import { type IntegrationTask } from '@syncbus/integration';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** Config of the recording connector: the file it appends to. */
export const RecordingConfigSchema = z.object({ file: z.string().min(1) }).strict();
/** Parsed config of the recording connector. */
export type RecordingConfig = z.infer<typeof RecordingConfigSchema>;

/** One line of the file: a task as the connector handled it. */
export interface RecordedTask {
  /** The process that handled it. */
  readonly pid: number;
  /** Outgoing: `processQueuedTask`; incoming: `prepareInternalObject`. */
  readonly direction: 'outgoing' | 'incoming';
  readonly taskType: string;
  readonly objectType: string;
  /** Outgoing: the object's guid; incoming: the external id. */
  readonly objectGuid: string;
}

/** Subscribes to every object (queued); answers OK to every outgoing task and maps incoming ones by name. */
@IntegrationConnector({
  name: 'recorder',
  displayName: 'Recorder',
  configSchema: RecordingConfigSchema,
})
export class RecordingConnector extends BaseIntegrationConnector<RecordingConfig> {
  override init(): void {
    this.subscribeToAllObjects('async');
  }

  override processQueuedTask(task: IntegrationTask): ProcessingOutcome {
    this.record({
      direction: 'outgoing',
      taskType: task.taskType,
      objectType: task.objectType,
      objectGuid: task.objectGuid,
    });
    return 'OK';
  }

  override prepareInternalObject(
    external: unknown,
    taskType: TaskType,
    context: IncomingTaskContext,
  ): Promise<ObjectSnapshot> {
    this.record({
      direction: 'incoming',
      taskType,
      objectType: context.objectType,
      objectGuid: context.externalId ?? '',
    });
    return this.snapshotFromExternal(external, context);
  }

  private record(task: Omit<RecordedTask, 'pid'>): void {
    // One short line per write: appends of one line from several processes do not interleave.
    appendFileSync(this.config.file, `${JSON.stringify({ pid: process.pid, ...task })}\n`);
  }
}

/** What the connectors of every process recorded in `file`, in the order they wrote it. */
export function recordedTasks(file: string): RecordedTask[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as RecordedTask);
}
