// The JSON body of an outgoing webhook call (documented in the README, so receivers in any language can read it).
import type { ExternalTaskMessage } from '@syncbus/integration/sdk';

/** The webhook body: the SDK's shared outgoing format, POSTed as `application/json`. */
export type WebhookPayload = ExternalTaskMessage;

/** Header carrying the task guid, so a receiver can drop a redelivered task. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
