// The webhook connector's config schema (under `connectors[].config`); secrets only as "env:NAME" references.
import { SecretRef } from '@syncbus/integration/sdk';
import { z } from 'zod';

/** Config of the webhook connector. */
export const WebhookConfigSchema = z
  .object({
    /** Where outgoing tasks are POSTed. Redirects are not followed: point it at the final address. */
    url: z.string().url(),
    /** Signs outgoing requests (and, unless `incoming.secret` is given, verifies incoming ones). */
    secret: SecretRef,
    /** Longest a request (connect, answer, body) may take before it counts as an Error, in ms. */
    timeoutMs: z.number().int().min(1).default(10_000),
    /** Result of a 4xx other than 408/429: `Error` keeps the task (retried, then failed), `ErrorAndSkip` logs and drops it. */
    on4xx: z.enum(['Error', 'ErrorAndSkip']).default('Error'),
    /** Object types to send; `*` is every synchronized type. */
    objectTypes: z.array(z.string().min(1)).min(1).default(['*']),
    /** `snapshot` also sends the objects a changed object references. */
    dataType: z.enum(['simple', 'snapshot']).default('simple'),
    /** Extra request headers (not for secrets: the config row keeps them in clear). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Accept signed calls from the external system on the node's inbound route. Absent: no inbound webhooks. */
    incoming: z
      .object({
        /** Verifies `X-Syncbus-Signature`; defaults to `secret`. */
        secret: SecretRef.optional(),
        /** Largest accepted difference between `X-Syncbus-Timestamp` and this node's clock, in seconds. */
        toleranceSeconds: z.number().int().min(1).default(300),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Parsed webhook config. */
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;
