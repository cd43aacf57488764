// Reads one inbound message into an incoming task, or says why it must be dead-lettered; nothing is trusted.
import { createHash } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import {
  checkHmacRequest,
  HMAC_SIGNATURE_HEADER,
  HMAC_TIMESTAMP_HEADER,
  formatProblems,
  zodProblems,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
} from '@syncbus/integration/sdk';
import { z } from 'zod';

/** The JSON body of an inbound message: one task, as one entry of the HTTP route's `tasks`. */
export const InboundMessageSchema = z
  .object({
    taskType: z.string().min(1).max(50),
    objectType: z.string().min(1).max(200),
    externalId: z.string().min(1).max(400),
    title: z.string().max(400).optional(),
    object: z.record(z.string(), z.unknown()),
  })
  .strict();

/** A message read as a task. */
export interface InboundTask {
  readonly taskType: string;
  readonly objectType: string;
  readonly externalId: string;
  readonly title?: string;
  readonly object: Record<string, unknown>;
  /** From the message id: a redelivery has the same one, so the task is logged once. */
  readonly guid?: string;
}

/** What to check besides the shape. */
export interface InboundChecks {
  /** Object types the host synchronizes; another is refused before it is logged. */
  readonly knownObjectTypes: readonly string[];
  /** Require a valid signature over the body with this secret. */
  readonly secret?: string;
  readonly toleranceSeconds?: number;
}

/**
 * The task guid for a message id: the id itself when it fits the 36 characters of a task guid, otherwise a stable
 * UUID-shaped hash of it (so a redelivery still maps to the same guid).
 */
export function taskGuidOf(messageId: string): string {
  if (messageId.length <= 36) return messageId;
  const hex = createHash('sha256').update(messageId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The task, or the reason the message is refused (bad JSON, wrong shape, bad signature, unknown object type). */
export function readInboundMessage(
  message: ConsumeMessage,
  checks: InboundChecks,
): { task: InboundTask } | { refused: string } {
  if (checks.secret) {
    const header = (name: string) => {
      const value = message.properties.headers?.[name];
      return value === undefined || value === null ? undefined : String(value);
    };
    const verdict = checkHmacRequest({
      secret: checks.secret,
      timestamp: header(HMAC_TIMESTAMP_HEADER),
      signature: header(HMAC_SIGNATURE_HEADER),
      rawBody: message.content,
      toleranceSeconds: checks.toleranceSeconds ?? 300,
    });
    if (verdict !== 'ok') return { refused: `signature check failed (${verdict})` };
  }
  let body: unknown;
  try {
    body = JSON.parse(message.content.toString('utf8'));
  } catch (error) {
    return { refused: `the body is not valid JSON (${(error as Error).message})` };
  }
  if (jsonDepthExceeds(body)) {
    return { refused: `the body nests deeper than ${MAX_JSON_DEPTH} levels` };
  }
  const parsed = InboundMessageSchema.safeParse(body);
  if (!parsed.success) {
    return { refused: `the body is not a task (${formatProblems(zodProblems(parsed.error), 'inline')})` };
  }
  if (!checks.knownObjectTypes.includes(parsed.data.objectType)) {
    return {
      refused: `object type '${parsed.data.objectType}' is not synchronized here (known: ${checks.knownObjectTypes.join(', ')})`,
    };
  }
  const messageId = message.properties.messageId as string | undefined;
  return { task: { ...parsed.data, guid: messageId ? taskGuidOf(String(messageId)) : undefined } };
}
