// What the applier does for a received task, shared by the receiver and the resolution of a held conflict.
import type { ObjectApplication } from '@syncbus/core/internal';
import type { StagingTaskData } from './staging-task-data';

/** A received task as the applier takes it: its object, with this source appended to the origin chain. */
export function applicationOf(task: StagingTaskData, sourceServer: string): ObjectApplication {
  return {
    taskType: task.taskType,
    snapshot: {
      objectType: task.objectType,
      objectGuid: task.objectGuid,
      objectId: task.objectId,
      title: task.title,
      data: task.data,
    },
    origin: { servers: [...task.origin, sourceServer] },
    user: task.users[task.users.length - 1],
  };
}
