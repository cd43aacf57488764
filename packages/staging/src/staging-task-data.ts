// The shape of a staging task as the logger builds it, the events carry it and the wire format sends it.

/** A staging task: what changed, on which object, and who changed it. */
export interface StagingTaskData {
  /** Globally unique id of the task (the receiver applies each guid once per source). */
  readonly guid: string;
  /** `create`, `update`, `delete` or a host-defined type. */
  readonly taskType: string;
  readonly objectType: string;
  /** The object's identity (GUID or code name) as a string. */
  readonly objectGuid: string;
  /** The object's local primary key on the node that logged it (informational, never applied). */
  readonly objectId: string | null;
  readonly title: string;
  /** Property values; references to other staged objects as `{ $ref: { type, identity } }`. */
  readonly data: Record<string, unknown>;
  /** When it was logged, epoch ms. */
  readonly createdAt: number;
  /** Servers the change already passed through, oldest first. */
  readonly origin: readonly string[];
  readonly users: readonly string[];
  readonly groups: readonly string[];
  /**
   * The staged fields the sender expects the receiver to hold (a conflict resolved on the sender, staging back to
   * the node the conflict's task came from); the receiver's conflict detection compares with these instead of its
   * own base; null: the sender expects the object not to exist there. Absent on ordinary tasks.
   */
  readonly base?: Record<string, unknown> | null;
}
