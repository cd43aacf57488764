// Sends one batch of tasks to a target over signed HTTP (Node's fetch: keep-alive, bounded by a timeout).
import {
  CoreSettings,
  inject,
  injectable,
  type Secret,
  readLimitedText,
  ReplyTooLargeError,
  signHmacRequest,
} from '@syncbus/core';
import type { StagingServer } from './entities/staging-server.entity';
import { StagingTransportError } from './staging-errors';
import {
  SIGNATURE_HEADER,
  STAGING_PROTOCOL_VERSION,
  STAGING_TASKS_PATH,
  StagingReplySchema,
  TIMESTAMP_HEADER,
  type StagingReply,
} from './staging-protocol';
import { StagingSettings } from './staging-settings';
import type { StagingTaskData } from './staging-task-data';

/** Most of a reply read from a target (1 MiB), or `MAX_REPLY_BYTES_PER_TASK` per task sent when that is more. */
const MAX_REPLY_BYTES = 1024 * 1024;
/** Reply bytes allowed per task sent: a result is a guid, a status and at most a short message. */
const MAX_REPLY_BYTES_PER_TASK = 2048;

/** Posts batches to targets. Every failure of the batch as a whole is a `StagingTransportError`. */
@injectable()
export class StagingTransport {
  constructor(
    @inject(CoreSettings) private readonly core: CoreSettings,
    @inject(StagingSettings) private readonly settings: StagingSettings,
  ) {}

  /** Sends `tasks` (in order) and returns the target's per-task results, checked against the protocol. */
  async send(
    server: StagingServer,
    secret: Secret,
    tasks: readonly StagingTaskData[],
  ): Promise<StagingReply> {
    const body = JSON.stringify({
      protocol: STAGING_PROTOCOL_VERSION,
      source: { server: this.core.nodeName },
      tasks,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const url = `${server.url.replace(/\/+$/, '')}${STAGING_TASKS_PATH}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signHmacRequest(secret.reveal(), timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.settings.requestTimeoutMs),
      });
    } catch (error) {
      const cause = error as Error & { cause?: { code?: string; message?: string } };
      const reason =
        cause.name === 'TimeoutError'
          ? `did not answer within ${this.settings.requestTimeoutMs} ms`
          : `could not be reached (${cause.cause?.code ?? cause.cause?.message ?? cause.message})`;
      throw new StagingTransportError(
        server.name,
        `Staging server '${server.name}' at ${url} ${reason}; check that it runs and that the URL is right. The tasks stay pending.`,
        undefined,
        { cause: error },
      );
    }
    let text: string;
    // A reply lists one short result per task: anything much larger is not a syncbus node answering.
    const maxReplyBytes = Math.max(MAX_REPLY_BYTES, tasks.length * MAX_REPLY_BYTES_PER_TASK);
    try {
      text = await readLimitedText(response, maxReplyBytes);
    } catch (error) {
      if (error instanceof ReplyTooLargeError) {
        throw new StagingTransportError(
          server.name,
          `Staging server '${server.name}' answered ${response.status} with a reply of more than ${maxReplyBytes} ` +
            `bytes, which is not the staging protocol; check that ${url} is a syncbus node. The tasks stay pending.`,
          response.status,
          { cause: error },
        );
      }
      throw new StagingTransportError(
        server.name,
        `Staging server '${server.name}' broke off its reply (${(error as Error).message}); the tasks stay pending.`,
        response.status,
        { cause: error },
      );
    }
    if (response.status !== 200) {
      throw new StagingTransportError(
        server.name,
        `Staging server '${server.name}' answered ${response.status}: ${describeError(text)}`,
        response.status,
      );
    }
    let reply: StagingReply | undefined;
    try {
      const parsed = StagingReplySchema.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.results.length === tasks.length) reply = parsed.data;
    } catch {
      // not JSON: reported below like any other reply that is not the protocol
    }
    if (!reply) {
      throw new StagingTransportError(
        server.name,
        `Staging server '${server.name}' replied with something that is not the staging protocol ` +
          `(${JSON.stringify(text.slice(0, 120))}); check that ${url} is a syncbus node.`,
        response.status,
      );
    }
    return reply;
  }
}

/** The message of a syncbus error reply, or the start of whatever else came back. */
function describeError(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: show it as it is
  }
  return JSON.stringify(text.slice(0, 200));
}
