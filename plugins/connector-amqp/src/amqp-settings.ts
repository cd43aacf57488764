// The AMQP connector's config schema (under `connectors[].config`); the broker password only as "env:NAME".
import { SecretRef } from '@syncbus/integration/sdk';
import { z } from 'zod';

/** Config of the AMQP connector. */
export const AmqpConfigSchema = z
  .object({
    /** Broker URL without a password, e.g. `amqp://127.0.0.1:5672/%2F` (vhost `/`). */
    url: z
      .string()
      .regex(/^amqps?:\/\//, 'must start with amqp:// or amqps://')
      .refine((url) => {
        try {
          return new URL(url).password === '';
        } catch {
          return false;
        }
      }, 'must be a valid URL without a password; put the password in "password" as "env:NAME"'),
    username: z.string().min(1).optional(),
    password: SecretRef.optional(),
    /** Exchange outgoing tasks are published to. */
    exchange: z.string().min(1),
    exchangeType: z.enum(['topic', 'direct', 'fanout', 'headers']).default('topic'),
    /** Declare the exchange (durable) at connect; false: it must exist. */
    declareExchange: z.boolean().default(true),
    /** Routing key template; `{objectType}`, `{taskType}` and `{objectGuid}` are replaced. */
    routingKey: z.string().min(1).default('{objectType}.{taskType}'),
    /** Longest wait for the broker's publisher confirm, in ms; longer counts as an Error (retried). */
    confirmTimeoutMs: z.number().int().min(1).default(10_000),
    /** Longest a connection attempt may take, in ms. */
    connectTimeoutMs: z.number().int().min(1).default(5_000),
    /**
     * AMQP heartbeat in seconds: a connection silent for about two of them is taken as lost (a silent network
     * drop is noticed in ~20 s rather than the broker's default 60 s x 2).
     */
    heartbeatSeconds: z.number().int().min(1).max(600).default(10),
    /** Object types to publish; `*` is every synchronized type. */
    objectTypes: z.array(z.string().min(1)).min(1).default(['*']),
    dataType: z.enum(['simple', 'snapshot']).default('simple'),
    /** Signs published messages and requires inbound ones to be signed (headers as the webhook scheme). */
    secret: SecretRef.optional(),
    /** Delay before the consumer reconnects after losing the broker: doubling from base to max, with jitter. */
    reconnect: z
      .object({
        baseDelayMs: z.number().int().min(1).default(200),
        maxDelayMs: z.number().int().min(1).default(30_000),
      })
      .strict()
      .default({ baseDelayMs: 200, maxDelayMs: 30_000 }),
    /** Consume this queue into incoming tasks. Absent: outgoing only. */
    incoming: z
      .object({
        queue: z.string().min(1),
        /** Declare the queue (durable, dead-lettering to `deadLetterExchange`) and the dead-letter exchange and queue. */
        declare: z.boolean().default(true),
        /** Where refused messages go (default `<queue>.dead-letter`, a fanout exchange). */
        deadLetterExchange: z.string().min(1).optional(),
        /** Queue bound to the dead-letter exchange, so refused messages are kept (default `<queue>.dead`). */
        deadLetterQueue: z.string().min(1).optional(),
        /** Unacknowledged messages the broker sends ahead. */
        prefetch: z.number().int().min(1).max(1000).default(10),
        /**
         * How often a message the node could not take for a passing reason (the database busy or down) is put back
         * before it is dead-lettered instead: the queue never stalls behind one message for ever.
         */
        maxRedeliveries: z.number().int().min(0).max(1000).default(5),
        /** Pause before such a message is put back, in ms. */
        requeueDelayMs: z.number().int().min(0).max(600_000).default(1000),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Parsed AMQP config. */
export type AmqpConfig = z.infer<typeof AmqpConfigSchema>;

/** The dead-letter exchange and queue names of an incoming config. */
export function deadLetterNames(incoming: NonNullable<AmqpConfig['incoming']>): {
  exchange: string;
  queue: string;
} {
  return {
    exchange: incoming.deadLetterExchange ?? `${incoming.queue}.dead-letter`,
    queue: incoming.deadLetterQueue ?? `${incoming.queue}.dead`,
  };
}
