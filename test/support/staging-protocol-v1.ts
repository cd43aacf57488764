// Staging protocol version 1 as the release before version 2 spoke it, for the tests of version negotiation: its
// wire schemas copied unchanged from that release's packages/staging/src/staging-protocol.ts (commit 9500f5c^),
// a receiver that answers exactly as its receiver route did on the wire, and a sender that posts and reads
// exactly as its StagingTransport did. Both are simulations at the wire (the old release's code cannot be loaded
// beside this one): what they send, accept and refuse is the old release's; what the old receiver did with an
// accepted task (apply it in its database) is left out, since the tests are about what crosses the wire.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkHmacRequest, signHmacRequest } from '@syncbus/core';
import { SIGNATURE_HEADER, STAGING_TASKS_PATH, TIMESTAMP_HEADER } from '@syncbus/staging';
import { z } from 'zod';

/** The old release's task schema: no `base`, every field strict. */
export const V1WireTaskSchema = z
  .object({
    guid: z.string().min(1).max(36),
    taskType: z.string().min(1).max(50),
    objectType: z.string().min(1).max(100),
    objectGuid: z.string().min(1).max(200),
    objectId: z.string().max(100).nullable(),
    title: z.string().max(400),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.number().int().nonnegative(),
    origin: z.array(z.string().min(1).max(100)).max(100),
    users: z.array(z.string().max(200)).max(1000),
    groups: z.array(z.string().max(200)).max(1000),
  })
  .strict();

/** The old release's request schema: `protocol` must be the literal 1. */
export const V1RequestSchema = z
  .object({
    protocol: z.literal(1),
    source: z.object({ server: z.string().min(1).max(100) }).strict(),
    tasks: z.array(V1WireTaskSchema).max(10_000),
  })
  .strict();

/** The old release's reply schema: three statuses only (any other makes the whole reply malformed). */
export const V1ReplySchema = z.object({
  results: z.array(
    z.object({
      guid: z.string(),
      status: z.enum(['applied', 'duplicate', 'error']),
      message: z.string().optional(),
    }),
  ),
});

/** One request the simulated old receiver got, as it arrived. */
export interface V1ReceivedRequest {
  readonly protocol: unknown;
  readonly body: Record<string, unknown>;
  /** What it answered: 200, or the refusal's status. */
  readonly status: number;
}

/** A receiver of the old release on a loopback port. */
export interface V1Receiver {
  readonly url: string;
  /** Every signed request, in arrival order. */
  readonly requests: V1ReceivedRequest[];
  /** Guids it answered applied (its ledger). */
  readonly applied: Set<string>;
  /**
   * Set to 2 to stand for the same node upgraded in place: it then accepts a version-2 body too and names version
   * 2 in the `X-Syncbus-Staging-Protocol` header, as a node of this release does. 1 (the old release) by default.
   */
  speaks: 1 | 2;
  close(): Promise<void>;
}

/**
 * Starts a receiver that speaks version 1 exactly as the old release's route did on the wire: it verifies the
 * signature over the raw body with the shared secret, refuses any `protocol` but 1 with `409 PROTOCOL_MISMATCH`
 * and the old message, refuses a body that is not the old schema (a task with `base`, say) with
 * `400 INVALID_REQUEST`, answers each task `applied` (`duplicate` when its ledger has the guid) as `{ results }`,
 * and sends no protocol header.
 */
export async function startV1Receiver(options: { source: string; secret: string }): Promise<V1Receiver> {
  const requests: V1ReceivedRequest[] = [];
  const applied = new Set<string>();
  const state = { speaks: 1 as 1 | 2 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          ...(state.speaks === 2 ? { 'x-syncbus-staging-protocol': '2' } : {}),
        });
        response.end(JSON.stringify(body));
      };
      if (request.url !== STAGING_TASKS_PATH || request.method !== 'POST') return answer(404, {});
      const rawBody = Buffer.concat(chunks);
      const verdict = checkHmacRequest({
        secret: options.secret,
        timestamp: request.headers[TIMESTAMP_HEADER] as string | undefined,
        signature: request.headers[SIGNATURE_HEADER] as string | undefined,
        rawBody,
        toleranceSeconds: 300,
      });
      if (verdict !== 'ok')
        return answer(401, { error: 'BAD_SIGNATURE', message: 'The signature does not match' });
      const body = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
      const record = (status: number) => requests.push({ protocol: body.protocol, body, status });
      const upgraded = state.speaks === 2 && body.protocol === 2;
      if (body.protocol !== 1 && !upgraded) {
        record(409);
        return answer(409, {
          error: 'PROTOCOL_MISMATCH',
          message: `This node speaks staging protocol 1, the request uses ${JSON.stringify(body.protocol)}; upgrade the older node.`,
        });
      }
      const parsed = upgraded
        ? V1RequestSchema.extend({
            protocol: z.literal(2),
            tasks: z.array(V1WireTaskSchema.extend({ base: z.unknown().optional() }).strict()),
          }).safeParse(body)
        : V1RequestSchema.safeParse(body);
      if (!parsed.success || parsed.data.source.server !== options.source) {
        record(400);
        return answer(400, { error: 'INVALID_REQUEST', message: 'The body is not a valid staging request' });
      }
      record(200);
      answer(200, {
        results: parsed.data.tasks.map((task) => {
          const again = applied.has(task.guid);
          applied.add(task.guid);
          return { guid: task.guid, status: again ? 'duplicate' : 'applied' };
        }),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    applied,
    get speaks() {
      return state.speaks;
    },
    set speaks(version: 1 | 2) {
      state.speaks = version;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What the old sender made of an answer: the reply it accepted, or the error that failed the batch. */
export type V1SendOutcome =
  | { readonly ok: true; readonly reply: z.infer<typeof V1ReplySchema>; readonly raw: unknown }
  | { readonly ok: false; readonly error: string };

/**
 * Posts `tasks` as the old release's StagingTransport did (`{ protocol: 1, source, tasks }`, signed) and reads the
 * answer as it did: anything but a 200 whose body parses under the old reply schema with one result per task
 * fails the batch (the old node kept every task pending with that error).
 */
export async function sendAsV1(
  url: string,
  options: { source: string; secret: string },
  tasks: readonly Record<string, unknown>[],
): Promise<V1SendOutcome> {
  const body = JSON.stringify({ protocol: 1, source: { server: options.source }, tasks });
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${url}${STAGING_TASKS_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signHmacRequest(options.secret, timestamp, body),
    },
    body,
  });
  const text = await response.text();
  if (response.status !== 200) return { ok: false, error: `answered ${response.status}: ${text}` };
  const raw = JSON.parse(text) as unknown;
  const parsed = V1ReplySchema.safeParse(raw);
  if (!parsed.success || parsed.data.results.length !== tasks.length) {
    return {
      ok: false,
      error: `replied with something that is not the staging protocol (${text.slice(0, 120)})`,
    };
  }
  return { ok: true, reply: parsed.data, raw };
}
