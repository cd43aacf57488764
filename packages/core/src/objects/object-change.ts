// The shapes a change of a host object takes on its way to tasks, and back when a task is applied.

/** Kentico's task types; hosts may add their own (handled on the target by a registered handler). */
export type TaskType = 'create' | 'update' | 'delete' | (string & {});

/** A reference to another synchronized object, by its type and identity (never a local id). */
export interface ObjectReference {
  readonly $ref: { readonly type: string; readonly identity: string };
}

/** An object as it travels: type, identity and the values of its properties, references by identity. */
export interface ObjectSnapshot {
  readonly objectType: string;
  /** The identity value (e.g. the GUID), as a string. */
  readonly objectGuid: string;
  /** The local primary key on the node where the snapshot was taken (informational; never applied). */
  readonly objectId?: string | number | null;
  readonly title?: string;
  /** Property values by property name; references are `ObjectReference`s. */
  readonly data: Record<string, unknown>;
}

/** Where a change came from, when it was made by applying a task rather than by the host's own code. */
export interface ChangeOrigin {
  /** Servers the change already passed through, oldest first (stops staging loops). */
  readonly servers: readonly string[];
  /** Connector that brought the change in (it is not sent back to that connector). */
  readonly connector?: string;
}

/** One change of one object, as listeners (staging, integration) receive it. */
export interface ObjectChange {
  readonly taskType: TaskType;
  readonly snapshot: ObjectSnapshot;
  /** Present when the change is the result of applying a received task. */
  readonly origin?: ChangeOrigin;
  /** Who made the change, when the host says (`logObjectChange` options or `runAsUser`). */
  readonly user?: string;
}
