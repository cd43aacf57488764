// The JSON body of an outgoing webhook call (documented in the README, so receivers in any language can read it).

/** `{ protocol, source, task }`, POSTed as `application/json`. */
export interface WebhookPayload {
  /** Version of this body's shape. */
  readonly protocol: 1;
  /** The syncbus node that sent it (`nodeName`). */
  readonly source: { readonly node: string };
  readonly task: {
    /** Unique per task; also the `Idempotency-Key` header. A receiver that saw it already should answer 2xx. */
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

/** Header carrying the task guid, so a receiver can drop a redelivered task. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
