// Sends one batch of tasks to a target over signed HTTP (Node's fetch: keep-alive, bounded by a timeout), in the
// newest protocol version the target is known to speak.
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
  isSpokenProtocol,
  OLDEST_STAGING_PROTOCOL_VERSION,
  PROTOCOL_HEADER,
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

/**
 * Posts batches to targets. Every failure of the batch as a whole is a `StagingTransportError`.
 *
 * Version negotiation: a request is written in the newest version the target is known to speak (this package's
 * own until the target says otherwise). Every answer tells: a target of this release names its newest version in
 * the `X-Syncbus-Staging-Protocol` header, a target of a release before version 2 sends no header (it speaks
 * version 1). What a server last answered is remembered per server, in this process. A target that refuses the
 * version with `PROTOCOL_MISMATCH` has applied nothing, so the batch goes again at once in the version it speaks.
 * Only a version-2 request carries a task's `base`, and a target that does not speak version 2 refuses such a
 * request as a whole before it reads a task.
 */
@injectable()
export class StagingTransport {
  /** The protocol version each server last said it speaks, by `serverKey`. */
  private readonly versions = new Map<string, number>();

  constructor(
    @inject(CoreSettings) private readonly core: CoreSettings,
    @inject(StagingSettings) private readonly settings: StagingSettings,
  ) {}

  /** The protocol version the next request to `server` is written in. */
  protocolFor(server: StagingServer): number {
    return this.versions.get(serverKey(server)) ?? STAGING_PROTOCOL_VERSION;
  }

  /** Sends `tasks` (in order) and returns the target's per-task results, checked against the protocol. */
  async send(
    server: StagingServer,
    secret: Secret,
    tasks: readonly StagingTaskData[],
  ): Promise<StagingReply> {
    const version = this.protocolFor(server);
    try {
      return await this.sendIn(version, server, secret, tasks);
    } catch (error) {
      // The target does not speak this version (it applied nothing): once more in the one it said it speaks.
      const spoken = this.versions.get(serverKey(server));
      if (error instanceof ProtocolMismatch && spoken !== undefined && spoken < version) {
        return this.sendIn(spoken, server, secret, tasks);
      }
      throw error;
    }
  }

  private async sendIn(
    version: number,
    server: StagingServer,
    secret: Secret,
    tasks: readonly StagingTaskData[],
  ): Promise<StagingReply> {
    const body = JSON.stringify({
      protocol: version,
      source: { server: this.core.nodeName },
      // A version-1 target refuses `base` (and has no conflict detection to use it for).
      tasks: version >= 2 ? tasks : tasks.map(withoutBase),
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
    const header = response.headers.get(PROTOCOL_HEADER);
    if (header !== null) this.remember(server, Number(header));
    if (response.status !== 200) {
      const refusal = describeError(text);
      if (response.status === 409 && refusal.code === 'PROTOCOL_MISMATCH') {
        // A node before version 2 names no version: it speaks version 1 only.
        if (header === null) this.remember(server, OLDEST_STAGING_PROTOCOL_VERSION);
        throw new ProtocolMismatch(
          server.name,
          `Staging server '${server.name}' answered ${response.status}: ${refusal.message}`,
          response.status,
        );
      }
      throw new StagingTransportError(
        server.name,
        `Staging server '${server.name}' answered ${response.status}: ${refusal.message}`,
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
    // A syncbus node that names no version is of a release before version 2.
    if (header === null) this.remember(server, OLDEST_STAGING_PROTOCOL_VERSION);
    return reply;
  }

  /** Remembers the version `server` said it speaks up to (a newer one than ours: ours; one we cannot read: nothing). */
  private remember(server: StagingServer, said: number): void {
    const spoken = Math.min(said, STAGING_PROTOCOL_VERSION);
    if (isSpokenProtocol(spoken)) this.versions.set(serverKey(server), spoken);
  }
}

/** A target refused the request's protocol version (`409 PROTOCOL_MISMATCH`): nothing of it was applied. */
class ProtocolMismatch extends StagingTransportError {}

/** A server as versions are remembered: by name and URL (a server moved to another URL may be another node). */
const serverKey = (server: StagingServer): string => `${server.name}\n${server.url}`;

/** A task as a version-1 request carries it. */
function withoutBase(task: StagingTaskData): StagingTaskData {
  if (task.base === undefined) return task;
  const { base: _base, ...rest } = task;
  return rest;
}

/** The code and message of a syncbus error reply, or the start of whatever else came back. */
function describeError(text: string): { code?: string; message: string } {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.message === 'string') {
      return { code: typeof body.error === 'string' ? body.error : undefined, message: body.message };
    }
  } catch {
    // not JSON: show it as it is
  }
  return { message: JSON.stringify(text.slice(0, 200)) };
}
