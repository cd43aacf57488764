// The JSON shape connectors send outgoing tasks in (webhook body, AMQP message), so every receiver reads one format.

/** An outgoing task as external systems receive it: `{ protocol, source, task }`. */
export interface ExternalTaskMessage {
  /** Version of this shape. */
  readonly protocol: 1;
  /** The syncbus node that sent it (`nodeName`). */
  readonly source: { readonly node: string };
  readonly task: {
    /** Unique per task; also the idempotency key. A receiver that saw it already should treat it as done. */
    readonly guid: string;
    readonly taskType: string;
    readonly objectType: string;
    /** The object's id as the external system knows it (`getExternalObjectId`). */
    readonly objectId: string;
    /** The object's identity in the host (GUID or code name). */
    readonly objectGuid: string;
    readonly title: string;
    /** ISO time the change was logged. */
    readonly createdAt: string;
    readonly user?: string;
    /** Property values; references to other objects as their external ids. */
    readonly data: Record<string, unknown>;
    /** Data type `snapshot` only: the referenced objects, as the host has them. */
    readonly related?: readonly {
      readonly objectType: string;
      readonly objectGuid: string;
      readonly data: Record<string, unknown>;
    }[];
  };
}
