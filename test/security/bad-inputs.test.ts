// Every documented bad input of the node's inbound routes in one place: each answered as documented, changing nothing.
import { randomUUID } from 'node:crypto';
import { ObjectApplier } from '@syncbus/core/internal';
import { signHmacRequest, type Storage } from '@syncbus/core';
import { INCOMING_TASKS_BODY_LIMIT } from '@syncbus/integration/internal';
import { IntegrationSynchronizations } from '@syncbus/integration';
import { SyncbusHttpServer } from '@syncbus/server';
import { APPLY_FAILED } from '@syncbus/staging/internal';
import { SIGNATURE_HEADER, STAGING_TASKS_PATH, StagingEvents, TIMESTAMP_HEADER } from '@syncbus/staging';
import { bootConnectorNode, type ConnectorNode } from '../connectors/connector-node';
import { Article, Category } from '../support/content-model';
import { openRaw, within } from '../support/raw-http';
import { bootStagingNode, createTestSecret, eventually, type StagingNode } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';

/** The staging receiver's limit here: small, so an oversize body is quick to send. */
const MAX_BODY = 256 * 1024;
const TOLERANCE = 300;
const WEBHOOK_TOLERANCE = 60;
const HELD_BACK = 'held back: an earlier task of this object failed';
const TOO_LARGE = ['FST_ERR_CTP_BODY_TOO_LARGE', 'BODY_TOO_LARGE'];

const now = () => Math.floor(Date.now() / 1000);
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const incomingPath = (connector: string) => `/syncbus/integration/v1/connectors/${connector}/tasks`;

// ---------------------------------------------------------------------------------------------------------------
// Database state: every row of every table, so "nothing changed" covers content, ledgers and queues alike.

type Rows = Record<string, string[]>;

async function tableRows(storage: Storage, exclude: readonly string[] = []): Promise<Rows> {
  const tables = (await storage.dataSource.query(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  )) as { name: string }[];
  const rows: Rows = {};
  for (const { name } of tables) {
    if (name === 'migrations' || exclude.includes(name)) continue;
    const all = (await storage.dataSource.query(`SELECT * FROM "${name}"`)) as object[];
    rows[name] = all.map((row) => JSON.stringify(row)).sort();
  }
  return rows;
}

/** Rows added and removed per table (changed rows show as both); tables without changes are left out. */
function changes(before: Rows, after: Rows): Record<string, { added: object[]; removed: object[] }> {
  const out: Record<string, { added: object[]; removed: object[] }> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const minus = (a: string[] = [], b: string[] = []) => {
      const left = [...b];
      return a.filter((row) => {
        const at = left.indexOf(row);
        if (at < 0) return true;
        left.splice(at, 1);
        return false;
      });
    };
    const added = minus(after[table], before[table]).map((row) => JSON.parse(row) as object);
    const removed = minus(before[table], after[table]).map((row) => JSON.parse(row) as object);
    if (added.length + removed.length > 0) out[table] = { added, removed };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP: fetch for whole requests, a raw socket for what fetch cannot send (a lying Content-Length, no body at all).

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: any;
  readonly text: string;
}

async function send(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<Answer> {
  // A Blob carries no type of its own, so the content type sent is exactly the one given (or none).
  const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: new Blob([body]) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed, text };
}

/** Parses one complete HTTP/1.1 response, or undefined while it is still arriving. */
function parseResponse(raw: Buffer): Answer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = raw.subarray(end + 4);
  if (headers['transfer-encoding']?.includes('chunked')) {
    const pieces: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd < 0) return undefined;
      const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) break;
      pieces.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
    rest = Buffer.concat(pieces);
  } else {
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < length) return undefined;
    rest = rest.subarray(0, length);
  }
  const text = rest.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, text };
}

/**
 * Sends request headers over a raw socket, then `chunks` as a chunked body (none: the body never comes), and
 * resolves with the first answer and when the node closed the connection.
 */
async function sendRaw(
  url: string,
  path: string,
  headers: Record<string, string | number>,
  chunks?: readonly Buffer[],
): Promise<Answer & { closed: Promise<void>; destroy(): void }> {
  const client = openRaw(url);
  let received = Buffer.alloc(0);
  let answer: Answer | undefined;
  const answered = new Promise<Answer>((resolve) => {
    client.socket.on('data', (chunk: string) => {
      received = Buffer.concat([received, Buffer.from(chunk, 'utf8')]);
      answer ??= parseResponse(received);
      if (answer) resolve(answer);
    });
  });
  const head =
    `POST ${path} HTTP/1.1\r\nHost: node\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    (chunks ? 'Transfer-Encoding: chunked\r\n' : '') +
    '\r\n';
  client.socket.write(head);
  const write = (data: string | Buffer) =>
    new Promise<void>((resolve) => client.socket.write(data, () => resolve()));
  if (chunks) {
    for (const chunk of chunks) {
      // The node answers as soon as the body passes its limit; writing on would only meet a closed socket.
      if (answer || client.socket.destroyed) break;
      await write(
        Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
      );
    }
    if (!answer && !client.socket.destroyed) await write('0\r\n\r\n');
  }
  const result = await within(5000, `an answer to the raw POST ${path}`, answered);
  return { ...result, closed: client.closed, destroy: () => client.socket.destroy() };
}

/** `body` cut into chunks, for a chunked upload with no Content-Length to refuse it by. */
const inChunks = (body: string, size = 64 * 1024): Buffer[] => {
  const bytes = Buffer.from(body);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
};

/** The documented error body: a stable code and a message that says what to do. */
function expectRefusal(answer: Answer, status: number, codes: string | readonly string[], secrets: string[]) {
  expect({ status: answer.status, error: answer.body?.error }).toEqual({
    status,
    error: typeof codes === 'string' ? codes : expect.stringMatching(new RegExp(`^(${codes.join('|')})$`)),
  });
  expect(typeof answer.body.message).toBe('string');
  expect(answer.body.message.trim()).not.toBe('');
  // A refusal never echoes a credential back.
  for (const secret of secrets) expect(answer.text).not.toContain(secret);
}

// ---------------------------------------------------------------------------------------------------------------
// Signed requests (staging and the webhook connector share the scheme).

interface SignedRequest {
  readonly body: string;
  /** `null`: no Content-Type header. Default `application/json`. */
  readonly contentType?: string | null;
  /** The X-Syncbus-Timestamp value; `null`: no header. Default now. */
  readonly timestamp?: string | null;
  /** The X-Syncbus-Signature value; `null`: no header. Default a right `v1=` signature with `key`. */
  readonly signature?: string | null;
  readonly key?: string;
  /** What was signed, when it is not what is sent. */
  readonly signedBody?: string;
  readonly signedTimestamp?: string;
}

function signedHeaders(request: SignedRequest, defaultKey: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const contentType = request.contentType === undefined ? 'application/json' : request.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const timestamp = request.timestamp === undefined ? String(now()) : request.timestamp;
  if (timestamp !== null) headers[TIMESTAMP_HEADER] = timestamp;
  const signature =
    request.signature === undefined
      ? signHmacRequest(
          request.key ?? defaultKey,
          request.signedTimestamp ?? timestamp ?? '',
          request.signedBody ?? request.body,
        )
      : request.signature;
  if (signature !== null) headers[SIGNATURE_HEADER] = signature;
  return headers;
}

/** `levels` nested arrays, as JSON text. */
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

// ===============================================================================================================

describe('staging receiver: bad inputs', () => {
  const sourceSecret = createTestSecret();
  const otherSecret = createTestSecret();
  const secrets = () => [sourceSecret.value, otherSecret.value];
  let target: StagingNode;

  beforeAll(async () => {
    target = await bootStagingNode({
      name: 'target',
      acceptFrom: [
        { server: 'source', secret: sourceSecret },
        { server: 'other', secret: otherSecret },
      ],
      staging: { receiver: { maxBodyBytes: MAX_BODY, timestampToleranceSeconds: TOLERANCE } },
    });
    const applier = target.kernel.get(ObjectApplier);
    // A host task type that writes, then fails: its write must be rolled back with the task.
    applier.registerTaskType('explode', async (_snapshot, manager) => {
      await manager.save(Category, { code: unique('half'), name: 'Half written' });
      throw new Error('exploded halfway, with internals the source must not read');
    });
    // A write whose foreign key is checked only at COMMIT: the savepoint holds, the request's commit fails.
    applier.registerTaskType('dangle', async (snapshot, manager) => {
      await manager.query('PRAGMA defer_foreign_keys = ON');
      await manager.query(
        'INSERT INTO article (guid, title, body, views, categoryId) VALUES (?, ?, ?, ?, ?)',
        [snapshot.objectGuid, 'Dangling', '', 0, 987_654],
      );
    });
    target.kernel.get(StagingEvents).processTask.before.add(({ task }, control) => {
      if (task.taskType !== 'create') return;
      if (task.objectGuid.startsWith('veto-cancel-')) control.cancel('vetoed by the host');
      if (task.objectGuid.startsWith('veto-throw-')) throw new Error('thrown by the host');
    });
    await target.storage.dataSource.getRepository(Category).save({ code: 'seeded', name: 'Seeded' });
  });
  afterAll(async () => {
    await target?.stop();
    delete process.env[sourceSecret.variable];
    delete process.env[otherSecret.variable];
  });

  const category = (code = unique('c'), overrides: Record<string, unknown> = {}) => ({
    guid: randomUUID(),
    taskType: 'create',
    objectType: 'cms.category',
    objectGuid: code,
    objectId: '7',
    title: code,
    data: { code, name: `Category ${code}` },
    createdAt: Date.now(),
    origin: [],
    users: ['alice'],
    groups: [],
    ...overrides,
  });
  const article = (guid: string, data: Record<string, unknown>, overrides: Record<string, unknown> = {}) =>
    category(guid, { objectType: 'cms.article', data: { guid, ...data }, ...overrides });
  const stagingBody = (tasks: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ protocol: 1, source: { server: 'source' }, tasks, ...extra });
  /** A body that would apply a fresh category: if a refusal did not hold, the diff shows it. */
  const good = (extra: Record<string, unknown> = {}) => stagingBody([category()], extra);
  const post = (request: SignedRequest) =>
    send(target.url!, STAGING_TASKS_PATH, signedHeaders(request, sourceSecret.value), request.body);
  const state = () => tableRows(target.storage);

  // One answer for every signature failure, so a caller cannot tell an unknown source from a wrong key.
  let badSignatureAnswer: Answer | undefined;
  const referenceBadSignature = async () =>
    (badSignatureAnswer ??= await post({ body: good(), signature: `v1=${'0'.repeat(64)}` }));

  interface Refusal {
    readonly name: string;
    readonly request: () => SignedRequest;
    readonly status: number;
    readonly code: string | readonly string[];
    readonly message?: RegExp;
  }

  const refusals: Refusal[] = [
    // The content type is checked first, before anything else about the request.
    ...[
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
    ].map((contentType): Refusal => ({
      name: `content type ${contentType}`,
      request: () => ({ body: good(), contentType }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: /application\/json/,
    })),
    {
      name: 'no content type',
      request: () => ({ body: good(), contentType: null }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a form body with no signature (the content type is checked before the headers)',
      request: () => ({
        body: 'protocol=1&source=source',
        contentType: 'application/x-www-form-urlencoded',
        timestamp: null,
        signature: null,
      }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    // Signature headers: missing or not of the documented form.
    {
      name: 'no signature headers at all',
      request: () => ({ body: good(), timestamp: null, signature: null }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
      message: /X-Syncbus-Timestamp/,
    },
    {
      name: 'no timestamp header',
      request: () => ({ body: good(), timestamp: null, signedTimestamp: String(now()) }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'no signature header',
      request: () => ({ body: good(), signature: null }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'an empty signature',
      request: () => ({ body: good(), signature: '' }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'a signature that is not v1= (a sha256= scheme)',
      request: () => {
        const body = good();
        const timestamp = String(now());
        return {
          body,
          timestamp,
          signature: signHmacRequest(sourceSecret.value, timestamp, body).replace('v1=', 'sha256='),
        };
      },
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'a timestamp that is a word',
      request: () => ({ body: good(), timestamp: 'yesterday' }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'a timestamp in milliseconds',
      request: () => ({ body: good(), timestamp: String(Date.now()) }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'a timestamp as an ISO date',
      request: () => ({ body: good(), timestamp: new Date().toISOString() }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'a negative timestamp',
      request: () => ({ body: good(), timestamp: '-5' }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'a fractional timestamp',
      request: () => ({ body: good(), timestamp: `${now()}.5` }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    // The time window, either way, whether or not the signature holds.
    {
      name: 'a stale timestamp, rightly signed',
      request: () => ({ body: good(), timestamp: String(now() - TOLERANCE - 5) }),
      status: 401,
      code: 'STALE_TIMESTAMP',
      message: /old/,
    },
    {
      name: 'a timestamp an hour old',
      request: () => ({ body: good(), timestamp: String(now() - 3600) }),
      status: 401,
      code: 'STALE_TIMESTAMP',
      message: /old/,
    },
    {
      // 5 s past the tolerance, so a clock second ticking over cannot bring it back inside the window.
      name: 'a future timestamp, rightly signed',
      request: () => ({ body: good(), timestamp: String(now() + TOLERANCE + 5) }),
      status: 401,
      code: 'STALE_TIMESTAMP',
      message: /in the future/,
    },
    {
      name: 'a stale timestamp with a wrong signature (refused from the headers: stale, not bad)',
      request: () => ({ body: good(), timestamp: String(now() - 3600), key: 'not the secret' }),
      status: 401,
      code: 'STALE_TIMESTAMP',
    },
    {
      name: 'a stale timestamp over malformed JSON',
      request: () => ({ body: '{"protocol": 1, "tasks": [', timestamp: String(now() - 3600) }),
      status: 401,
      code: 'STALE_TIMESTAMP',
    },
    // Signatures that do not hold over the exact body.
    {
      name: 'a bad signature (v1= and 64 zeros)',
      request: () => ({ body: good(), signature: `v1=${'0'.repeat(64)}` }),
      status: 401,
      code: 'BAD_SIGNATURE',
      message: /staging\.receiver\.sources/,
    },
    {
      name: 'a garbled signature (v1=zz)',
      request: () => ({ body: good(), signature: 'v1=zz' }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'several comma-separated signatures, none of them right',
      request: () => ({ body: good(), signature: `v1=${'0'.repeat(64)}, v1=${'1'.repeat(64)}` }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'a signature with a key no source has',
      request: () => ({ body: good(), key: 'not the secret' }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'a body changed after it was signed',
      request: () => {
        const body = good();
        return { body: body.replace('"Category ', '"Forged '), signedBody: body };
      },
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'a signature over another timestamp than the one sent',
      request: () => ({ body: good(), timestamp: String(now()), signedTimestamp: String(now() - 10) }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: "a body naming 'source' signed with the secret of 'other'",
      request: () => ({ body: good(), key: otherSecret.value }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: "a body naming 'other' signed with the secret of 'source'",
      request: () => ({ body: good({ source: { server: 'other' } }), key: sourceSecret.value }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'an unknown source, signed with a listed secret',
      request: () => ({ body: good({ source: { server: 'stranger' } }) }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'an unknown source, signed with its own key',
      request: () => ({ body: good({ source: { server: 'stranger' } }), key: 'stranger secret' }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    // The signature is checked before the body is parsed.
    {
      name: 'badly signed malformed JSON (401, not 400)',
      request: () => ({ body: '{"protocol": 1, "tasks": [', key: 'not the secret' }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'badly signed JSON with no source (401, not 400)',
      request: () => ({ body: JSON.stringify({ tasks: [] }), key: 'not the secret' }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'badly signed JSON nested too deep (401, not 400)',
      request: () => ({ body: good().replace('"alice"', nested(1000)), key: 'not the secret' }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    {
      name: 'a badly signed body of another protocol (401, not 409)',
      request: () => ({ body: good({ protocol: 3 }), key: 'not the secret' }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    // Rightly signed, but not JSON.
    ...(
      [
        ['a truncated body', '{"protocol": 1, "source": {"server": "source"}, "tasks": ['],
        ['an empty body', ''],
        ['trailing garbage after the JSON', `${good()} x`],
        ['single-quoted JSON', "{'protocol': 1}"],
        ['a NaN literal', '{"protocol": NaN}'],
        ['a byte-order mark before the JSON', `\uFEFF${good()}`],
      ] as const
    ).map(([name, body]): Refusal => ({
      name: `malformed JSON: ${name}`,
      request: () => ({ body }),
      status: 400,
      code: 'MALFORMED_JSON',
      message: /not valid JSON/,
    })),
    // Nesting: the body, the tasks list, a task and its data are 4 levels; 61 arrays make it 65.
    {
      name: 'JSON nested 65 levels deep',
      // The users list is the 4th level: 61 arrays in it make 65.
      request: () => ({ body: good().replace('"alice"', nested(61)) }),
      status: 400,
      code: 'INVALID_REQUEST',
      message: /nests deeper than 64 levels/,
    },
    {
      name: 'task data nested 65 levels deep',
      request: () => ({
        body: stagingBody([category('deep-65', { data: { code: 'deep-65', name: '__DEEP__' } })]).replace(
          '"__DEEP__"',
          nested(61),
        ),
      }),
      status: 400,
      code: 'INVALID_REQUEST',
      message: /nests deeper than 64 levels/,
    },
    {
      name: 'JSON nested 30,000 levels deep',
      request: () => ({ body: good().replace('"alice"', nested(30_000)) }),
      status: 400,
      code: 'INVALID_REQUEST',
      message: /nests deeper than 64 levels/,
    },
    // source.server: checked before the protocol and the shape.
    {
      name: 'no source',
      request: () => ({ body: JSON.stringify({ protocol: 1, tasks: [category()] }) }),
      status: 400,
      code: 'INVALID_REQUEST',
      message: /source\.server/,
    },
    {
      name: 'an empty source.server',
      request: () => ({ body: good({ source: { server: '' } }) }),
      status: 400,
      code: 'INVALID_REQUEST',
      message: /source\.server/,
    },
    {
      name: 'a source.server that is a number',
      request: () => ({ body: good({ source: { server: 7 } }) }),
      status: 400,
      code: 'INVALID_REQUEST',
      message: /source\.server/,
    },
    {
      name: 'a source that is a string',
      request: () => ({ body: good({ source: 'source' }) }),
      status: 400,
      code: 'INVALID_REQUEST',
      message: /source\.server/,
    },
    {
      name: 'no source and another protocol (source is checked first)',
      request: () => ({ body: JSON.stringify({ protocol: 3, tasks: [] }) }),
      status: 400,
      code: 'INVALID_REQUEST',
      message: /source\.server/,
    },
    ...(
      [
        ['a JSON array', '[]'],
        ['JSON null', 'null'],
        ['a JSON string', '"tasks"'],
        ['a JSON number', '42'],
      ] as const
    ).map(([name, body]): Refusal => ({
      name: `a body that is ${name}`,
      request: () => ({ body }),
      status: 400,
      code: 'INVALID_REQUEST',
    })),
    // The protocol: checked after the source and before the shape.
    ...(
      [
        ['protocol 3 (newer than this node)', { protocol: 3 }],
        ['protocol 1.5', { protocol: 1.5 }],
        ['protocol 0', { protocol: 0 }],
        ['protocol "1" (a string)', { protocol: '1' }],
        ['protocol null', { protocol: null }],
      ] as const
    ).map(([name, extra]): Refusal => ({
      name,
      request: () => ({ body: good(extra) }),
      status: 409,
      code: 'PROTOCOL_MISMATCH',
      message: /speaks staging protocols 1 to 2/,
    })),
    {
      name: 'no protocol',
      request: () => ({ body: JSON.stringify({ source: { server: 'source' }, tasks: [category()] }) }),
      status: 409,
      code: 'PROTOCOL_MISMATCH',
    },
    {
      name: 'another protocol with a wrong shape (the protocol is checked first)',
      request: () => ({ body: good({ protocol: 3, tasks: 'none', extra: true }) }),
      status: 409,
      code: 'PROTOCOL_MISMATCH',
    },
    {
      name: "another protocol from 'other' signed by 'source' (the signer is checked first)",
      request: () => ({ body: good({ protocol: 3, source: { server: 'other' } }) }),
      status: 401,
      code: 'BAD_SIGNATURE',
    },
    // The shape: every object strict, every field typed; the message lists the fields.
    ...(
      [
        ['no tasks', () => JSON.stringify({ protocol: 1, source: { server: 'source' } }), /tasks/],
        ['tasks that is an object', () => good({ tasks: { 0: category() } }), /tasks/],
        ['an extra top-level field', () => good({ priority: 'high' }), /priority/],
        ['an extra field in source', () => good({ source: { server: 'source', region: 'eu' } }), /region/],
        ['a task without a guid', () => stagingBody([{ ...category(), guid: undefined }]), /tasks\.0\.guid/],
        ['a task without data', () => stagingBody([{ ...category(), data: undefined }]), /tasks\.0\.data/],
        [
          'a task without origin',
          () => stagingBody([{ ...category(), origin: undefined }]),
          /tasks\.0\.origin/,
        ],
        ['a task with an extra field', () => stagingBody([{ ...category(), priority: 1 }]), /priority/],
        ['a guid that is a number', () => stagingBody([category(undefined, { guid: 42 })]), /tasks\.0\.guid/],
        ['an empty guid', () => stagingBody([category(undefined, { guid: '' })]), /tasks\.0\.guid/],
        [
          'a guid over 36 characters',
          () => stagingBody([category(undefined, { guid: 'g'.repeat(37) })]),
          /tasks\.0\.guid/,
        ],
        [
          'an empty taskType',
          () => stagingBody([category(undefined, { taskType: '' })]),
          /tasks\.0\.taskType/,
        ],
        [
          'an empty objectGuid',
          () => stagingBody([category(undefined, { objectGuid: '' })]),
          /tasks\.0\.objectGuid/,
        ],
        [
          'an objectId that is a number',
          () => stagingBody([category(undefined, { objectId: 7 })]),
          /tasks\.0\.objectId/,
        ],
        [
          'a title that is null',
          () => stagingBody([category(undefined, { title: null })]),
          /tasks\.0\.title/,
        ],
        [
          'data that is a string',
          () => stagingBody([category(undefined, { data: 'code=news' })]),
          /tasks\.0\.data/,
        ],
        ['data that is an array', () => stagingBody([category(undefined, { data: [] })]), /tasks\.0\.data/],
        [
          'createdAt as a date string',
          () => stagingBody([category(undefined, { createdAt: 'today' })]),
          /tasks\.0\.createdAt/,
        ],
        [
          'a negative createdAt',
          () => stagingBody([category(undefined, { createdAt: -1 })]),
          /tasks\.0\.createdAt/,
        ],
        [
          'a fractional createdAt',
          () => stagingBody([category(undefined, { createdAt: 1.5 })]),
          /tasks\.0\.createdAt/,
        ],
        [
          'origin that is a string',
          () => stagingBody([category(undefined, { origin: 'source' })]),
          /tasks\.0\.origin/,
        ],
        [
          'users holding a number',
          () => stagingBody([category(undefined, { users: [1] })]),
          /tasks\.0\.users/,
        ],
        [
          'groups that is null',
          () => stagingBody([category(undefined, { groups: null })]),
          /tasks\.0\.groups/,
        ],
        [
          'a valid task followed by a wrong one (the whole request is refused)',
          () => stagingBody([category(), category(undefined, { createdAt: 'today' })]),
          /tasks\.1\.createdAt/,
        ],
        [
          'two wrong fields (both are listed)',
          () => stagingBody([category(undefined, { createdAt: 'today', origin: 'source' })]),
          // One line per field now, as every list of wrong fields is written.
          /tasks\.0\.createdAt.*tasks\.0\.origin|tasks\.0\.origin.*tasks\.0\.createdAt/s,
        ],
      ] as const
    ).map(([name, body, message]): Refusal => ({
      name: `wrong shape: ${name}`,
      request: () => ({ body: body() }),
      status: 400,
      code: 'INVALID_REQUEST',
      message,
    })),
  ];

  it('watches the content, ledger and queue tables (what "nothing changed" is checked on)', async () => {
    expect(Object.keys(await state())).toEqual(
      expect.arrayContaining([
        'article',
        'category',
        'staging_received_task',
        'staging_object_base',
        'staging_conflict',
        'staging_task',
        'staging_synchronization',
      ]),
    );
  });

  it.each(refusals)(
    'refuses $name: $status $code, applying nothing',
    async ({ request, status, code, message }) => {
      const before = await state();
      const answer = await post(request());
      expectRefusal(answer, status, code, secrets());
      // A body of the wrong shape names its fields too (`problems`, as every 400 about fields does), and its
      // message lists the same ones.
      const problems = answer.body.problems as { path: string; message: string }[] | undefined;
      expect(Object.keys(answer.body).sort()).toEqual(
        problems ? ['error', 'message', 'problems'] : ['error', 'message'],
      );
      if (problems) {
        expect(code).toBe('INVALID_REQUEST');
        for (const p of problems)
          expect(answer.body.message).toContain(`${p.path || '(root)'}: ${p.message}`);
      }
      if (message) expect(answer.body.message).toMatch(message);
      // Every signature failure gets the same answer, so a caller cannot learn which source names exist.
      if (code === 'BAD_SIGNATURE') expect(answer.body).toEqual((await referenceBadSignature()).body);
      expect(changes(before, await state())).toEqual({});
    },
  );

  interface HeaderRefusal {
    readonly name: string;
    readonly headers: () => Record<string, string | number>;
    readonly status: number;
    readonly code: string | readonly string[];
  }
  const signatureHeaders = (timestamp = now()) => ({
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `v1=${'0'.repeat(64)}`,
  });
  const json = { 'Content-Type': 'application/json' };

  const headerRefusals: HeaderRefusal[] = [
    {
      name: 'a text/plain body',
      headers: () => ({ 'Content-Type': 'text/plain', 'Content-Length': 1000, ...signatureHeaders() }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a body with no content type',
      headers: () => ({ 'Content-Length': 1000, ...signatureHeaders() }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'an unsigned body',
      headers: () => ({ ...json, 'Content-Length': 1000 }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'a body with a garbled timestamp',
      headers: () => ({ ...json, 'Content-Length': 1000, ...signatureHeaders(), [TIMESTAMP_HEADER]: 'soon' }),
      status: 401,
      code: 'UNSIGNED_REQUEST',
    },
    {
      name: 'a body with a stale timestamp',
      headers: () => ({ ...json, 'Content-Length': 1000, ...signatureHeaders(now() - 3600) }),
      status: 401,
      code: 'STALE_TIMESTAMP',
    },
    {
      name: 'a body with a future timestamp',
      headers: () => ({ ...json, 'Content-Length': 1000, ...signatureHeaders(now() + 3600) }),
      status: 401,
      code: 'STALE_TIMESTAMP',
    },
    {
      name: 'a declared Content-Length over maxBodyBytes',
      headers: () => ({ ...json, 'Content-Length': MAX_BODY + 1, ...signatureHeaders() }),
      status: 413,
      code: TOO_LARGE,
    },
    {
      name: 'an unsigned declared Content-Length over maxBodyBytes (the size is checked first)',
      headers: () => ({ ...json, 'Content-Length': 50 * MAX_BODY }),
      status: 413,
      code: TOO_LARGE,
    },
    {
      name: 'a text/plain declared Content-Length over maxBodyBytes (the content type is checked first)',
      headers: () => ({
        'Content-Type': 'text/plain',
        'Content-Length': 50 * MAX_BODY,
        ...signatureHeaders(),
      }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ];

  it.each(headerRefusals)(
    'refuses $name from its headers, never reading the body, and closes the connection',
    async ({ headers, status, code }) => {
      const before = await state();
      const answer = await sendRaw(target.url!, STAGING_TASKS_PATH, headers());
      expectRefusal(answer, status, code, secrets());
      expect(answer.headers.connection).toMatch(/close/i);
      await within(3000, 'the refused connection to be closed', answer.closed);
      expect(changes(before, await state())).toEqual({});
    },
  );

  it.each([
    { name: 'rightly signed', sign: true },
    { name: 'badly signed (the size is checked before the signature)', sign: false },
  ])(
    'refuses an actual body over maxBodyBytes sent without a Content-Length, $name: 413',
    async ({ sign }) => {
      const before = await state();
      const body = stagingBody([category(unique('huge'), { data: { name: 'x'.repeat(MAX_BODY + 1024) } })]);
      const timestamp = now();
      const answer = await sendRaw(
        target.url!,
        STAGING_TASKS_PATH,
        {
          ...json,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: sign
            ? signHmacRequest(sourceSecret.value, timestamp, body)
            : `v1=${'0'.repeat(64)}`,
        },
        inChunks(body),
      );
      answer.destroy();
      expectRefusal(answer, 413, TOO_LARGE, secrets());
      expect(changes(before, await state())).toEqual({});
    },
  );

  // -------------------------------------------------------------------------------------------------------------
  // Per-task errors: the request is answered 200, the failing task alone rolls back, later tasks of its object are
  // held back, other objects go on.

  interface TaskFailure {
    readonly name: string;
    /** The failing task (of a fresh object, unless the case is about an existing one). */
    readonly task: () => ReturnType<typeof category>;
    readonly message: RegExp | string;
  }

  const taskFailures: TaskFailure[] = [
    {
      name: 'an unknown object type',
      task: () => category(unique('p'), { objectType: 'cms.page', data: { name: 'Page' } }),
      message:
        /^UNKNOWN_OBJECT_TYPE: Object type 'cms\.page' is not synchronized on this node \(known: .+\)\.$/,
    },
    {
      name: 'a delete of an unknown object type',
      task: () => category(unique('p'), { objectType: 'cms.page', taskType: 'delete', data: {} }),
      message: /^UNKNOWN_OBJECT_TYPE: .*'cms\.page'/,
    },
    {
      name: 'an unknown task type',
      task: () => category(unique('c'), { taskType: 'publish' }),
      message:
        /^UNKNOWN_TASK_TYPE: Task type 'publish' has no handler on this node \(known: create, update, delete/,
    },
    {
      name: 'an unknown property',
      task: () => {
        const code = unique('c');
        return category(code, { data: { code, name: 'N', colour: 'red' } });
      },
      message: "UNKNOWN_PROPERTY: Object type 'cms.category' has no property 'colour' on this node.",
    },
    {
      name: "the target's generated primary key in the data",
      task: () => {
        const code = unique('c');
        return category(code, { data: { code, name: 'N', id: 1 } });
      },
      message: "UNKNOWN_PROPERTY: Object type 'cms.category' has no property 'id' on this node.",
    },
    {
      name: 'a string where a number belongs',
      task: () => article(unique('a'), { title: 'T', views: 'many' }),
      message: 'INVALID_VALUE: \'views\' of cms.article must be a number, got "many".',
    },
    {
      name: 'null for a column that is not nullable',
      task: () => {
        const code = unique('c');
        return category(code, { data: { code, name: null } });
      },
      message: "INVALID_VALUE: 'name' of cms.category cannot be null.",
    },
    {
      name: 'an object where a string belongs',
      task: () => {
        const code = unique('c');
        return category(code, { data: { code, name: { first: 'N' } } });
      },
      message: "INVALID_VALUE: 'name' of cms.category must be a string, got an object.",
    },
    {
      name: 'a reference that is not a $ref',
      task: () => article(unique('a'), { title: 'T', category: 'seeded' }),
      message:
        /^INVALID_VALUE: 'category' must be a reference \{ \$ref: \{ type: 'cms\.category', identity \} \} or null\.$/,
    },
    {
      name: 'a reference to another object type',
      task: () =>
        article(unique('a'), { title: 'T', category: { $ref: { type: 'cms.article', identity: 'seeded' } } }),
      message: /^INVALID_VALUE: 'category' must be a reference/,
    },
    {
      // 64 levels pass the request's depth limit (the 65th is refused above); the value is still no string.
      name: 'a value nested exactly 64 levels deep',
      task: () => {
        const code = unique('c');
        let value: unknown = [];
        for (let level = 1; level < 60; level += 1) value = [value];
        return category(code, { data: { code, name: value } });
      },
      message: "INVALID_VALUE: 'name' of cms.category must be a string, got an array of 1.",
    },
    {
      name: 'a reference that does not resolve',
      task: () =>
        article(unique('a'), {
          title: 'T',
          category: { $ref: { type: 'cms.category', identity: 'nowhere' } },
        }),
      message:
        "UNRESOLVED_REFERENCE: 'category' references cms.category 'nowhere', which does not exist on this node; synchronize it first.",
    },
    {
      name: 'a processTask.before handler that cancels',
      task: () => category(unique('veto-cancel')),
      message:
        "EVENT_CANCELLED: The operation was cancelled by a handler of 'staging.processTask': vetoed by the host",
    },
    {
      name: 'a processTask.before handler that throws',
      task: () => category(unique('veto-throw')),
      message: 'EVENT_CANCELLED: thrown by the host',
    },
    {
      name: 'a host task type whose handler writes, then throws',
      task: () => category(unique('c'), { taskType: 'explode', data: {} }),
      message: APPLY_FAILED,
    },
    {
      name: 'a database constraint (an article without its NOT NULL title)',
      task: () => article(unique('a'), { body: 'no title' }),
      message: APPLY_FAILED,
    },
    {
      name: 'a wrong value in an update of an existing object',
      task: () => category('seeded', { taskType: 'update', data: { name: 42 } }),
      message: "INVALID_VALUE: 'name' of cms.category must be a string, got 42.",
    },
  ];

  it.each(taskFailures)(
    'answers $name with a per-task error; the task changes nothing, its object is held back, others apply',
    async ({ task, message }) => {
      const failing = task();
      // A valid later task of the same object: applied, it would show in the diff.
      const followUp = {
        ...failing,
        guid: randomUUID(),
        taskType: 'update',
        data: failing.objectType === 'cms.article' ? { title: 'Follow-up' } : { name: 'Follow-up' },
      };
      const fine = category();
      const before = await state();
      const answer = await post({ body: stagingBody([failing, followUp, fine]) });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        protocol: 1,
        results: [
          {
            guid: failing.guid,
            status: 'error',
            message: typeof message === 'string' ? message : expect.stringMatching(message),
          },
          { guid: followUp.guid, status: 'error', message: HELD_BACK },
          { guid: fine.guid, status: 'applied' },
        ],
      });
      // The target's own failures stay in its log.
      expect(answer.text).not.toMatch(/exploded halfway|NOT NULL|SQLITE/i);
      expect(changes(before, await state())).toEqual({
        category: {
          added: [{ id: expect.any(Number), code: fine.objectGuid, name: fine.data.name }],
          removed: [],
        },
        staging_received_task: {
          added: [expect.objectContaining({ source_server: 'source', task_guid: fine.guid })],
          removed: [],
        },
        // The base conflict detection compares a later update of the object with.
        staging_object_base: {
          added: [
            expect.objectContaining({
              source_server: 'source',
              object_key: `cms.category:${fine.objectGuid}`,
              task_guid: fine.guid,
            }),
          ],
          removed: [],
        },
      });
    },
  );

  it('answers every task NOT_COMMITTED when the request cannot commit, applying none of it', async () => {
    const dangling = category(unique('dangling'), {
      objectType: 'cms.article',
      taskType: 'dangle',
      data: {},
    });
    const fine = category();
    const before = await state();
    const answer = await post({ body: stagingBody([dangling, fine]) });
    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual([
      { guid: dangling.guid, status: 'error', message: expect.stringMatching(/^NOT_COMMITTED: \S/) },
      { guid: fine.guid, status: 'error', message: expect.stringMatching(/^NOT_COMMITTED: \S/) },
    ]);
    expect(changes(before, await state())).toEqual({});
    // The node goes on: the same fine task, sent again, applies.
    const again = await post({ body: stagingBody([fine]) });
    expect(again.body.results).toEqual([{ guid: fine.guid, status: 'applied' }]);
  });

  // -------------------------------------------------------------------------------------------------------------
  // Repeats: a guid twice in one request, and a whole request replayed inside the window.

  it('answers a guid repeated in one request applied, then duplicate, and applies it once', async () => {
    const once = category();
    const before = await state();
    const answer = await post({ body: stagingBody([once, { ...once, data: { name: 'Second copy' } }]) });
    expect(answer.body).toEqual({
      protocol: 1,
      results: [
        { guid: once.guid, status: 'applied' },
        { guid: once.guid, status: 'duplicate' },
      ],
    });
    expect(changes(before, await state())).toEqual({
      category: {
        added: [{ id: expect.any(Number), code: once.objectGuid, name: once.data.name }],
        removed: [],
      },
      staging_received_task: { added: [expect.objectContaining({ task_guid: once.guid })], removed: [] },
      staging_object_base: { added: [expect.objectContaining({ task_guid: once.guid })], removed: [] },
    });
  });

  it('answers a replayed request (same bytes, same headers) duplicate for each task, applying it once', async () => {
    const tasks = [category(), category()];
    const body = stagingBody(tasks);
    const headers = signedHeaders({ body }, sourceSecret.value);
    const first = await send(target.url!, STAGING_TASKS_PATH, headers, body);
    expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied']);
    // Changed here after the first delivery: a replay that applied again would undo it.
    await target.storage.dataSource
      .getRepository(Category)
      .update({ code: tasks[0].objectGuid }, { name: 'Edited' });
    const before = await state();
    const replay = await send(target.url!, STAGING_TASKS_PATH, headers, body);
    expect(replay).toMatchObject({
      status: 200,
      body: {
        results: [
          { guid: tasks[0].guid, status: 'duplicate' },
          { guid: tasks[1].guid, status: 'duplicate' },
        ],
      },
    });
    expect(changes(before, await state())).toEqual({});
  });

  it('applies the same guid from another source: the ledger is per source', async () => {
    const task = category();
    expect((await post({ body: stagingBody([task]) })).body.results[0].status).toBe('applied');
    const fromOther = { ...task, objectGuid: unique('c'), data: { name: 'From other' } };
    const answer = await post({
      body: stagingBody([fromOther], { source: { server: 'other' } }),
      key: otherSecret.value,
    });
    expect(answer.body.results).toEqual([{ guid: task.guid, status: 'applied' }]);
    expect(
      await target.storage.dataSource.getRepository(Category).findOneBy({ code: fromOther.objectGuid }),
    ).not.toBeNull();
  });
});

// ===============================================================================================================

describe('staging receiver: connections that never finish', () => {
  const secret = createTestSecret();
  const CAP = 4;
  let target: StagingNode;
  beforeAll(async () => {
    // The documented bounds, shortened so each case takes about a second.
    target = await bootStagingNode({
      name: 'target',
      acceptFrom: [{ server: 'source', secret }],
      httpSettings: {
        requestTimeoutMs: 1500,
        headersTimeoutMs: 500,
        idleTimeoutMs: 1000,
        keepAliveTimeoutMs: 500,
        maxConnections: CAP,
      },
    });
  });
  afterAll(async () => {
    await target?.stop();
    delete process.env[secret.variable];
  });

  const openConnections = () =>
    new Promise<number>((resolve, reject) =>
      target.kernel
        .get(SyncbusHttpServer)
        .instance!.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  const head = (lines: Record<string, string | number>) =>
    `POST ${STAGING_TASKS_PATH} HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n` +
    Object.entries(lines)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  /** A valid request a patient node would apply: if a bound did not hold, the diff shows it. */
  const signedRequest = () => {
    const code = unique('slow');
    const body = JSON.stringify({
      protocol: 1,
      source: { server: 'source' },
      tasks: [
        {
          guid: randomUUID(),
          taskType: 'create',
          objectType: 'cms.category',
          objectGuid: code,
          objectId: null,
          title: code,
          data: { name: 'x'.repeat(200) },
          createdAt: Date.now(),
          origin: [],
          users: [],
          groups: [],
        },
      ],
    });
    const timestamp = now();
    return {
      body,
      lines: {
        'Content-Length': Buffer.byteLength(body),
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signHmacRequest(secret.value, timestamp, body),
      },
    };
  };

  it.each([
    {
      name: 'headers over 16 KiB: 431, closed',
      act: async () => {
        const client = openRaw(target.url!);
        const { lines } = signedRequest();
        client.socket.write(head({ ...lines, 'X-Padding': 'p'.repeat(17 * 1024) }));
        expect(await within(3000, 'the oversize headers to be refused', client.answer)).toMatch(
          /^HTTP\/1\.1 431 /,
        );
      },
    },
    {
      name: 'headers that never finish: closed after headersTimeoutMs',
      act: async () => {
        const client = openRaw(target.url!);
        client.socket.write(`POST ${STAGING_TASKS_PATH} HTTP/1.1\r\nHost: node\r\n`);
        // Node may say 408 on its way out; it must not answer anything else.
        expect(await within(3000, 'the half-sent headers to be closed', client.answer)).toMatch(
          /^$|^HTTP\/1\.1 408 /,
        );
      },
    },
    {
      name: 'a signed body that trickles in slower than requestTimeoutMs: closed, not applied',
      act: async () => {
        const client = openRaw(target.url!);
        const { body, lines } = signedRequest();
        client.socket.write(head(lines));
        let sent = 0;
        const drip = setInterval(() => {
          if (client.socket.writable && sent < body.length) client.socket.write(body[sent++]);
        }, 50);
        try {
          expect(await within(5000, 'the slow request to be closed', client.answer)).toMatch(
            /^$|^HTTP\/1\.1 408 /,
          );
        } finally {
          clearInterval(drip);
        }
        // At 20 bytes a second the body was still arriving when the node gave up.
        expect(sent).toBeLessThan(body.length);
      },
    },
    {
      name: 'a connection that sends nothing: closed after idleTimeoutMs',
      act: async () => {
        const client = openRaw(target.url!);
        expect(await within(3000, 'the idle connection to be closed', client.answer)).toMatch(
          /^$|^HTTP\/1\.1 408 /,
        );
      },
    },
    {
      name: 'a connection past http.maxConnections: closed at once, unanswered',
      act: async () => {
        await eventually(async () => (await openConnections()) === 0, 'earlier connections to be gone');
        const idle = Array.from({ length: CAP }, () => openRaw(target.url!));
        await Promise.all(idle.map((c) => new Promise((resolve) => c.socket.once('connect', resolve))));
        await eventually(
          async () => (await openConnections()) === CAP,
          'the node to hold the idle connections',
        );
        const surplus = openRaw(target.url!);
        // Well inside the idle timeout: this close is the cap's, not the timeout's.
        expect(await within(500, 'the surplus connection to be closed', surplus.answer)).toBe('');
        await within(3000, 'the idle connections to be closed', Promise.all(idle.map((c) => c.closed)));
      },
    },
  ])('bounds $name', async ({ act }) => {
    const before = await tableRows(target.storage);
    await act();
    expect(changes(before, await tableRows(target.storage))).toEqual({});
  });
});

// ===============================================================================================================

describe('inbound integration route and webhook connector: bad inputs', () => {
  const alphaToken = createTestSecret();
  const webhookSecret = createTestSecret();
  const secrets = () => [alphaToken.value, webhookSecret.value];
  let node: ConnectorNode;
  let disabled: ConnectorNode;

  beforeAll(async () => {
    const connectors = [
      { name: 'alpha', config: { endpoint: 'https://alpha.example.test' }, incomingToken: alphaToken.ref },
      { name: 'beta', config: { endpoint: 'https://beta.example.test' } },
      {
        name: 'webhook',
        // Nothing is sent out (logInternal off below); the url only has to be valid.
        config: {
          url: 'http://127.0.0.1:9/unused',
          secret: webhookSecret.ref,
          incoming: { toleranceSeconds: WEBHOOK_TOLERANCE },
        },
      },
    ];
    const plugins = ['@syncbus-fixtures/scripted-connector', '@syncbus/connector-webhook'];
    // logInternal off: applied incoming tasks log no outgoing ones, so the queues only move for what is posted.
    [node, disabled] = await Promise.all([
      bootConnectorNode({
        databaseUrl: tempSqliteUrl('bad-inputs'),
        plugins,
        connectors,
        integration: { logInternal: false },
        http: true,
      }),
      bootConnectorNode({
        databaseUrl: tempSqliteUrl('bad-inputs-disabled'),
        plugins,
        connectors: connectors.slice(0, 1),
        integration: { logInternal: false, logExternal: false },
        http: true,
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([node?.stop(), disabled?.stop()]);
    delete process.env[alphaToken.variable];
    delete process.env[webhookSecret.variable];
  });

  // The connector rows carry their config and start time; they are not what a request may change.
  const state = (of: ConnectorNode = node) => tableRows(of.storage, ['integration_connector']);
  const incoming = (connector: string) =>
    node.kernel.get(IntegrationSynchronizations).list(connector, 'incoming');
  /** Waits until nothing posted is still pending (applied, or failed for good): the database is still. */
  const settled = (connector: string) =>
    eventually(
      async () => (await incoming(connector)).every((row) => row.status === 'failed'),
      `the incoming queue of ${connector} to settle`,
    );
  // Each case starts from a still database, even after one that (wrongly) got tasks accepted and retried.
  beforeEach(() => Promise.all([settled('alpha'), settled('webhook')]));

  it('watches the content, ledger and queue tables (what "nothing changed" is checked on)', async () => {
    expect(Object.keys(await state())).toEqual(
      expect.arrayContaining([
        'article',
        'category',
        'integration_received_task',
        'integration_task',
        'integration_synchronization',
        'integration_external_synchronization',
        'integration_sync_log',
      ]),
    );
  });

  const alphaTask = (overrides: Record<string, unknown> = {}) => {
    const id = unique('ext-r');
    return {
      taskType: 'create',
      objectType: 'cms.article',
      externalId: id,
      object: { id, headline: 'Posted' },
      ...overrides,
    };
  };
  const tasksBody = (tasks: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ tasks, ...extra });

  interface BearerRequest {
    readonly connector?: string;
    readonly body: string;
    /** `null`: no Content-Type. Default `application/json`. */
    readonly contentType?: string | null;
    /** The Authorization header; `null`: none. Default `Bearer <alpha's token>`. */
    readonly authorization?: string | null;
  }
  const postBearer = (request: BearerRequest, to: ConnectorNode = node) => {
    const headers: Record<string, string> = {};
    const contentType = request.contentType === undefined ? 'application/json' : request.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    const authorization =
      request.authorization === undefined ? `Bearer ${alphaToken.value}` : request.authorization;
    if (authorization !== null) headers.authorization = authorization;
    return send(to.url!, incomingPath(request.connector ?? 'alpha'), headers, request.body);
  };
  const postWebhook = (request: SignedRequest & { connector?: string }) =>
    send(
      node.url!,
      incomingPath(request.connector ?? 'webhook'),
      signedHeaders(request, webhookSecret.value),
      request.body,
    );

  interface IncomingRefusal<R> {
    readonly name: string;
    readonly request: () => R;
    readonly status: number;
    readonly code: string | readonly string[];
    readonly message?: RegExp;
    /** Paths `problems` must name. */
    readonly paths?: readonly string[];
  }

  const invalidBodies: [string, () => string, string[]][] = [
    ['a JSON array', () => '[]', ['']],
    ['no tasks', () => '{}', ['tasks']],
    ['tasks that is an object', () => JSON.stringify({ tasks: { 0: alphaTask() } }), ['tasks']],
    ['an empty task list', () => tasksBody([]), ['tasks']],
    ['more than 500 tasks', () => tasksBody(Array.from({ length: 501 }, () => alphaTask())), ['tasks']],
    ['an extra top-level field', () => tasksBody([alphaTask()], { priority: 'high' }), ['']],
    ['a task without taskType', () => tasksBody([alphaTask({ taskType: undefined })]), ['tasks.0.taskType']],
    [
      'a task without objectType',
      () => tasksBody([alphaTask({ objectType: undefined })]),
      ['tasks.0.objectType'],
    ],
    ['a task without object', () => tasksBody([alphaTask({ object: undefined })]), ['tasks.0.object']],
    ['a task with an extra field', () => tasksBody([alphaTask({ priority: 1 })]), ['tasks.0']],
    ['an empty taskType', () => tasksBody([alphaTask({ taskType: '' })]), ['tasks.0.taskType']],
    [
      'a taskType over 50 characters',
      () => tasksBody([alphaTask({ taskType: 't'.repeat(51) })]),
      ['tasks.0.taskType'],
    ],
    [
      'an objectType that is a number',
      () => tasksBody([alphaTask({ objectType: 7 })]),
      ['tasks.0.objectType'],
    ],
    // externalId is optional on the route (a connector may find the identity in the object); the webhook
    // connector requires it, through incomingTaskProblems: its cases are below.
    ['an empty externalId', () => tasksBody([alphaTask({ externalId: '' })]), ['tasks.0.externalId']],
    ['a title that is a number', () => tasksBody([alphaTask({ title: 5 })]), ['tasks.0.title']],
    ['an unknown dataType', () => tasksBody([alphaTask({ dataType: 'full' })]), ['tasks.0.dataType']],
    ['an empty guid', () => tasksBody([alphaTask({ guid: '' })]), ['tasks.0.guid']],
    ['a guid over 36 characters', () => tasksBody([alphaTask({ guid: 'g'.repeat(37) })]), ['tasks.0.guid']],
    [
      'a valid task followed by a wrong one (the whole body is refused)',
      () => tasksBody([alphaTask(), alphaTask({ taskType: undefined })]),
      ['tasks.1.taskType'],
    ],
  ];
  const malformedBodies: [string, string][] = [
    ['a truncated body', '{"tasks": ['],
    ['an empty body', ''],
    ['trailing garbage after the JSON', `${tasksBody([alphaTask()])} x`],
    ['single-quoted JSON', "{'tasks': []}"],
  ];
  // The body, the task list, a task and its object are 4 levels; 61 arrays inside the object make 65.
  const tooDeep = (levels: number) =>
    tasksBody([alphaTask({ object: { id: 'ext-deep', headline: 'Deep', extra: '__DEEP__' } })]).replace(
      '"__DEEP__"',
      nested(levels),
    );

  const bearerRefusals: IncomingRefusal<BearerRequest>[] = [
    ...['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'].map(
      (contentType): IncomingRefusal<BearerRequest> => ({
        name: `content type ${contentType}`,
        request: () => ({ body: tasksBody([alphaTask()]), contentType }),
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      }),
    ),
    {
      name: 'no content type',
      request: () => ({ body: tasksBody([alphaTask()]), contentType: null }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a form body without a token (the content type is checked first)',
      request: () => ({
        body: 'tasks=1',
        contentType: 'application/x-www-form-urlencoded',
        authorization: null,
      }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'no Authorization header',
      request: () => ({ body: tasksBody([alphaTask()]), authorization: null }),
      status: 401,
      code: 'UNAUTHORIZED',
      message: /Authorization: Bearer/,
    },
    {
      name: 'a wrong token',
      request: () => ({ body: tasksBody([alphaTask()]), authorization: 'Bearer wrong' }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'the token with another scheme (Basic)',
      request: () => ({ body: tasksBody([alphaTask()]), authorization: `Basic ${alphaToken.value}` }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'an empty bearer token',
      request: () => ({ body: tasksBody([alphaTask()]), authorization: 'Bearer ' }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'the token with a suffix',
      request: () => ({ body: tasksBody([alphaTask()]), authorization: `Bearer ${alphaToken.value}x` }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'the token cut short',
      request: () => ({
        body: tasksBody([alphaTask()]),
        authorization: `Bearer ${alphaToken.value.slice(0, -1)}`,
      }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'an unknown connector',
      request: () => ({ connector: 'nobody', body: tasksBody([alphaTask()]) }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: "a wrong token with malformed JSON (401: a stranger's body is never parsed)",
      request: () => ({ body: '{"tasks": [', authorization: 'Bearer wrong' }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a wrong token with fields missing (401, not 400)',
      request: () => ({ body: '{}', authorization: 'Bearer wrong' }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a connector without an incomingToken',
      request: () => ({ connector: 'beta', body: tasksBody([alphaTask()]) }),
      status: 403,
      code: 'INCOMING_NOT_CONFIGURED',
      message: /incomingToken/,
    },
    ...malformedBodies.map(([name, body]): IncomingRefusal<BearerRequest> => ({
      name: `malformed JSON: ${name}`,
      request: () => ({ body }),
      status: 400,
      code: 'MALFORMED_JSON',
      message: /not valid JSON/,
    })),
    {
      name: 'JSON nested 65 levels deep',
      request: () => ({ body: tooDeep(61) }),
      status: 400,
      code: 'INVALID_BODY',
      message: /deeper than 64 levels/,
    },
    {
      name: 'JSON nested 100,000 levels deep',
      request: () => ({ body: tooDeep(100_000) }),
      status: 400,
      code: 'INVALID_BODY',
      message: /deeper than 64 levels/,
    },
    ...invalidBodies.map(([name, body, paths]): IncomingRefusal<BearerRequest> => ({
      name: `invalid body: ${name}`,
      request: () => ({ body: body() }),
      status: 400,
      code: 'INVALID_BODY',
      paths,
    })),
  ];

  /** Checks an inbound refusal: the documented body, the problems it names, and that nothing was logged. */
  const expectIncomingRefusal = (answer: Answer, refusal: IncomingRefusal<unknown>) => {
    expectRefusal(answer, refusal.status, refusal.code, secrets());
    if (refusal.message) expect(answer.body.message).toMatch(refusal.message);
    if (refusal.paths) {
      const named = (answer.body.problems as { path: string; message: string }[]).map((p) => p.path);
      expect(named).toEqual(expect.arrayContaining([...refusal.paths]));
      // The message lists the same fields, so a person reading only it can fix the body.
      for (const path of refusal.paths.filter(Boolean)) expect(answer.body.message).toContain(path);
    }
  };

  it.each(bearerRefusals)('refuses $name: $status $code, logging nothing', async (refusal) => {
    const before = await state();
    const answer = await postBearer(refusal.request());
    expectIncomingRefusal(answer, refusal);
    expect(changes(before, await state())).toEqual({});
  });

  it('answers an unknown connector exactly as a wrong token, so connector names cannot be listed', async () => {
    const body = tasksBody([alphaTask()]);
    const unknown = await postBearer({ connector: 'nobody', body });
    const wrong = await postBearer({ connector: 'alpha', body, authorization: 'Bearer wrong' });
    expect(unknown.status).toBe(wrong.status);
    // The message names the connector the caller posted to, nothing more.
    expect(unknown.body).toEqual({
      ...wrong.body,
      message: wrong.body.message.replace("'alpha'", "'nobody'"),
    });
  });

  it('refuses valid tasks with 503 INTEGRATION_DISABLED when the node does not log incoming tasks', async () => {
    const before = await state(disabled);
    const answer = await postBearer({ body: tasksBody([alphaTask()]) }, disabled);
    expectRefusal(answer, 503, 'INTEGRATION_DISABLED', secrets());
    expect(changes(before, await state(disabled))).toEqual({});
  });

  // Signed like staging, checked by the webhook connector itself.
  const webhookTask = (overrides: Record<string, unknown> = {}) => {
    const id = unique('w');
    return {
      taskType: 'create',
      objectType: 'cms.article',
      externalId: id,
      object: { title: 'Webhook' },
      ...overrides,
    };
  };
  const goodWebhook = () => tasksBody([webhookTask()]);

  const webhookRefusals: IncomingRefusal<SignedRequest & { connector?: string }>[] = [
    ...['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'].map(
      (contentType): IncomingRefusal<SignedRequest> => ({
        name: `content type ${contentType}`,
        request: () => ({ body: goodWebhook(), contentType }),
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      }),
    ),
    {
      name: 'no content type',
      request: () => ({ body: goodWebhook(), contentType: null }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    ...(
      [
        ['no signature headers', { timestamp: null, signature: null }],
        ['no timestamp header', { timestamp: null, signedTimestamp: String(now()) }],
        ['no signature header', { signature: null }],
        ['an empty signature', { signature: '' }],
        ['a timestamp that is a word', { timestamp: 'yesterday' }],
        ['a timestamp in milliseconds', { timestamp: String(Date.now()) }],
        ['a signature that is not v1=', { signature: `sha256=${'0'.repeat(64)}` }],
        ['a bad signature (v1= and 64 zeros)', { signature: `v1=${'0'.repeat(64)}` }],
        ['a garbled signature (v1=zz)', { signature: 'v1=zz' }],
        ['a signature with another key', { key: 'not the secret' }],
        ["a body signed with alpha's token (another connector's secret)", { key: alphaToken.value }],
        ['a signature over another timestamp', { signedTimestamp: String(now() - 10) }],
        ['badly signed malformed JSON (401, not 400)', { body: '{"tasks": [ {', key: 'not the secret' }],
        ['badly signed fields missing (401, not 400)', { body: '{}', key: 'not the secret' }],
      ] as const
    ).map(([name, spec]): IncomingRefusal<SignedRequest> => ({
      name,
      request: () => ({ body: goodWebhook(), ...spec }),
      status: 401,
      code: 'UNAUTHORIZED',
    })),
    {
      name: 'a body changed after it was signed',
      request: () => {
        const body = goodWebhook();
        return { body: body.replace('"Webhook"', '"Forged"'), signedBody: body };
      },
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a stale timestamp, rightly signed',
      request: () => ({ body: goodWebhook(), timestamp: String(now() - WEBHOOK_TOLERANCE - 5) }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a future timestamp, rightly signed',
      request: () => ({ body: goodWebhook(), timestamp: String(now() + WEBHOOK_TOLERANCE + 5) }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a rightly signed call to an unknown connector',
      request: () => ({ connector: 'webhooks', body: goodWebhook() }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    ...malformedBodies.map(([name, body]): IncomingRefusal<SignedRequest> => ({
      name: `malformed JSON: ${name}`,
      request: () => ({ body }),
      status: 400,
      code: 'MALFORMED_JSON',
      message: /not valid JSON/,
    })),
    {
      name: 'JSON nested 65 levels deep',
      request: () => ({ body: tooDeep(61) }),
      status: 400,
      code: 'INVALID_BODY',
      message: /deeper than 64 levels/,
    },
    ...invalidBodies.map(([name, body, paths]): IncomingRefusal<SignedRequest> => ({
      name: `invalid body: ${name}`,
      request: () => ({ body: body() }),
      status: 400,
      code: 'INVALID_BODY',
      paths,
    })),
  ];

  // The webhook README writes a task's object as { ...properties }.
  webhookRefusals.push(
    ...(
      [
        ['an object that is a string', 'title=T'],
        ['an object that is an array', [{ title: 'T' }]],
        ['an object that is null', null],
      ] as const
    ).map(([name, object]): IncomingRefusal<SignedRequest> => ({
      name: `invalid body: ${name}`,
      request: () => ({ body: tasksBody([webhookTask({ object })]) }),
      status: 400,
      code: 'INVALID_BODY',
      paths: ['tasks.0.object'],
    })),
  );

  it.each(webhookRefusals)(
    'refuses a webhook call with $name: $status $code, logging nothing',
    async (refusal) => {
      const before = await state();
      const answer = await postWebhook(refusal.request());
      expectIncomingRefusal(answer, refusal);
      expect(changes(before, await state())).toEqual({});
    },
  );

  interface RawIncomingRefusal {
    readonly name: string;
    readonly connector: string;
    readonly headers: () => Record<string, string | number>;
    readonly status: number;
    readonly code: string | readonly string[];
  }
  const json = { 'Content-Type': 'application/json' };
  const bearer = () => ({ Authorization: `Bearer ${alphaToken.value}` });
  const signature = (timestamp = now()) => ({
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `v1=${'0'.repeat(64)}`,
  });

  const rawRefusals: RawIncomingRefusal[] = [
    {
      name: 'a text/plain body for alpha',
      connector: 'alpha',
      headers: () => ({ 'Content-Type': 'text/plain', 'Content-Length': 1000, ...bearer() }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a wrong token for alpha',
      connector: 'alpha',
      headers: () => ({ ...json, 'Content-Length': 1000, Authorization: 'Bearer wrong' }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'an unknown connector',
      connector: 'nobody',
      headers: () => ({ ...json, 'Content-Length': 1000, ...bearer() }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a wrong token with a declared length over the limit (credentials first)',
      connector: 'alpha',
      headers: () => ({
        ...json,
        'Content-Length': INCOMING_TASKS_BODY_LIMIT + 1,
        Authorization: 'Bearer wrong',
      }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a declared Content-Length over the limit for alpha',
      connector: 'alpha',
      headers: () => ({ ...json, 'Content-Length': INCOMING_TASKS_BODY_LIMIT + 1, ...bearer() }),
      status: 413,
      code: TOO_LARGE,
    },
    {
      name: 'a webhook call without signature headers',
      connector: 'webhook',
      headers: () => ({ ...json, 'Content-Length': 1000 }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a webhook call with a stale timestamp',
      connector: 'webhook',
      headers: () => ({ ...json, 'Content-Length': 1000, ...signature(now() - 3600) }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a webhook call with a future timestamp',
      connector: 'webhook',
      headers: () => ({ ...json, 'Content-Length': 1000, ...signature(now() + 3600) }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'a webhook call with a declared Content-Length over the limit',
      connector: 'webhook',
      headers: () => ({ ...json, 'Content-Length': INCOMING_TASKS_BODY_LIMIT + 1, ...signature() }),
      status: 413,
      code: TOO_LARGE,
    },
  ];

  it.each(rawRefusals)(
    'refuses $name from the headers, never reading the body, and closes the connection',
    async ({ connector, headers, status, code }) => {
      const before = await state();
      const answer = await sendRaw(node.url!, incomingPath(connector), headers());
      expectRefusal(answer, status, code, secrets());
      expect(answer.headers.connection).toMatch(/close/i);
      await within(3000, 'the refused connection to be closed', answer.closed);
      expect(changes(before, await state())).toEqual({});
    },
  );

  it.each([
    {
      name: 'alpha',
      headers: (): Record<string, string | number> => bearer(),
    },
    {
      name: 'the webhook',
      headers: (body: string): Record<string, string | number> => {
        const timestamp = now();
        return {
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signHmacRequest(webhookSecret.value, timestamp, body),
        };
      },
    },
  ])(
    'refuses an actual body over the limit sent to $name without a Content-Length: 413',
    async ({ name, headers }) => {
      const before = await state();
      const body = tasksBody([
        alphaTask({ object: { id: 'ext-huge', headline: 'x'.repeat(INCOMING_TASKS_BODY_LIMIT) } }),
      ]);
      const answer = await sendRaw(
        node.url!,
        incomingPath(name === 'alpha' ? 'alpha' : 'webhook'),
        { ...json, ...headers(body) },
        inChunks(body, 512 * 1024),
      );
      answer.destroy();
      expectRefusal(answer, 413, TOO_LARGE, secrets());
      expect(changes(before, await state())).toEqual({});
    },
  );

  // -------------------------------------------------------------------------------------------------------------
  // Repeats on the inbound routes: answered duplicate, logged and applied once.

  it.each([
    { route: 'alpha', post: (body: string) => postBearer({ body }) },
    { route: 'webhook', post: (body: string) => postWebhook({ body }) },
  ])(
    'answers a guid repeated in one $route request accepted, then duplicate, and applies it once',
    async ({ route, post }) => {
      const guid = randomUUID();
      const task = route === 'alpha' ? alphaTask({ guid }) : webhookTask({ guid });
      const identity = route === 'alpha' ? task.externalId.replace(/^ext-/, '') : task.externalId;
      const before = await state();
      const answer = await post(tasksBody([task, { ...task, title: 'Second copy' }]));
      expect(answer).toMatchObject({
        status: 202,
        body: {
          tasks: [
            { guid, status: 'accepted' },
            { guid, status: 'duplicate' },
          ],
        },
      });
      await eventually(
        () => node.storage.dataSource.getRepository(Article).findOneBy({ guid: identity }),
        'the article applied',
      );
      await settled(route);
      const changed = changes(before, await state());
      expect(changed.article.added).toEqual([expect.objectContaining({ guid: identity })]);
      expect(changed.integration_received_task.added).toEqual([expect.objectContaining({ task_guid: guid })]);
    },
  );

  it.each([
    { route: 'alpha', post: (body: string) => postBearer({ body }) },
    { route: 'webhook', post: (body: string) => postWebhook({ body }) },
  ])(
    'answers a replayed $route request duplicate for each task, logging nothing',
    async ({ route, post }) => {
      const guids = [randomUUID(), randomUUID()];
      const body = tasksBody(
        guids.map((guid) => (route === 'alpha' ? alphaTask({ guid }) : webhookTask({ guid }))),
      );
      const first = await post(body);
      expect(first.body.tasks.map((t: { status: string }) => t.status)).toEqual(['accepted', 'accepted']);
      await settled(route);
      const before = await state();
      const replay = await post(body);
      expect(replay).toMatchObject({
        status: 202,
        body: { tasks: guids.map((guid) => ({ guid, status: 'duplicate' })) },
      });
      // Nothing logged means nothing left to apply: the tables stay as they were.
      expect(changes(before, await state())).toEqual({});
    },
  );

  // -------------------------------------------------------------------------------------------------------------
  // Tasks the webhook accepts but the host cannot apply: recorded as an error on the incoming task, nothing applied,
  // the other tasks of the request applied.

  it.each([
    {
      name: 'an unknown object type',
      task: () => webhookTask({ objectType: 'shop.product', object: { sku: 'p-1' } }),
      error: /Object type 'shop\.product' is not synchronized on this node/,
    },
    {
      name: 'an unknown property',
      task: () => webhookTask({ object: { title: 'T', colour: 'red' } }),
      error: /Object type 'cms\.article' has no property 'colour' on this node/,
    },
    {
      name: 'a wrong value',
      task: () => webhookTask({ object: { title: 'T', views: 'many' } }),
      error: /'views' of cms\.article must be a number, got "many"/,
    },
  ])(
    'records $name as an error on the incoming task, applies nothing of it, applies the rest',
    async ({ task, error }) => {
      const failing = task();
      const fine = webhookTask();
      const before = await state();
      const answer = await postWebhook({ body: tasksBody([failing, fine]) });
      expect(answer.status).toBe(202);
      expect(answer.body.tasks.map((t: { status: string }) => t.status)).toEqual(['accepted', 'accepted']);
      const failed = await eventually(async () => {
        const rows = await incoming('webhook');
        const row = rows.find((r) => r.objectKey === `${failing.objectType}:${failing.externalId}`);
        return row?.status === 'failed' && rows.every((r) => r.status === 'failed') ? row : undefined;
      }, 'the failing task to be marked failed and the other applied');
      expect(failed?.lastError).toMatch(error);
      const log = await node.syncLog('webhook');
      expect(log.filter((e) => e.objectGuid === failing.externalId)).toEqual([
        expect.objectContaining({ inbound: true, result: 'Error', error: expect.stringMatching(error) }),
      ]);
      const changed = changes(before, await state());
      expect(changed.article).toEqual({
        added: [expect.objectContaining({ guid: fine.externalId })],
        removed: [],
      });
      expect(changed.category).toBeUndefined();
    },
  );
});
