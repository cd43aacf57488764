import { ConfigError, createLogger, SyncbusError, ValidationError, type ErrorKind } from '@syncbus/core';
import fastify, { type FastifyInstance } from 'fastify';
import { errorBodyOf, httpErrorHandler, HTTP_STATUS_OF_KIND, httpStatusOf, sendError } from './http-errors';

describe('the one mapping from errors to HTTP answers (real HTTP on loopback)', () => {
  const logged: { msg: string }[] = [];
  let app: FastifyInstance;
  /** What the route `/throw` throws next. */
  let next: unknown;

  beforeAll(async () => {
    const logger = createLogger({
      level: 'error',
      destination: { write: (line: string) => void logged.push(JSON.parse(line)) },
    });
    app = fastify();
    app.setErrorHandler(httpErrorHandler(logger));
    app.get('/throw', async () => {
      throw next;
    });
    app.get('/send', async (_request, reply) => sendError(reply, next));
    // Refused from a hook, before the body is read: the header the hook set stays on the answer.
    app.post(
      '/hook',
      {
        bodyLimit: 16,
        onRequest: async (request, reply) => {
          if (request.headers['x-refuse']) {
            reply.header('connection', 'close');
            throw new SyncbusError('UNAUTHORIZED', 'Send a token.', { kind: 'unauthenticated' });
          }
        },
        schema: {
          body: {
            type: 'object',
            properties: { name: { type: 'string' }, size: { type: 'integer' } },
            required: ['name'],
          },
        },
      },
      async () => ({ ok: true }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());
  beforeEach(() => (logged.length = 0));

  /** A GET over loopback: its status and JSON body. */
  const get = async (url: string) => {
    const response = await fetch(`${app.listeningOrigin}${url}`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  const kinds: [ErrorKind, number][] = [
    ['invalid', 400],
    ['unauthenticated', 401],
    ['forbidden', 403],
    ['not-found', 404],
    ['conflict', 409],
    ['too-large', 413],
    ['unsupported-media-type', 415],
    ['unprocessable', 422],
    ['unavailable', 503],
  ];

  it('names a status for every kind, and no two kinds share one', () => {
    expect(Object.entries(HTTP_STATUS_OF_KIND).sort()).toEqual(kinds.sort());
    expect(new Set(Object.values(HTTP_STATUS_OF_KIND)).size).toBe(kinds.length);
  });

  it.each(kinds)('answers a refusal of kind %s with %i and { error, message }', async (kind, status) => {
    next = new SyncbusError('SOME_CODE', `refused as ${kind}; do this instead`, { kind });
    for (const url of ['/throw', '/send']) {
      expect(await get(url)).toEqual({
        status,
        body: { error: 'SOME_CODE', message: `refused as ${kind}; do this instead` },
      });
    }
    expect(logged).toEqual([]);
  });

  it('answers wrong fields 400 with every problem by path, in the body and in the message', async () => {
    next = new ValidationError('INVALID_BODY', 'The body is not valid; fix these fields and send it again', [
      { path: 'tasks.0.objectType', message: 'is required' },
      { path: '', message: 'must be an object' },
    ]);
    expect(await get('/throw')).toEqual({
      status: 400,
      body: {
        error: 'INVALID_BODY',
        message:
          'The body is not valid; fix these fields and send it again:\n' +
          '  - tasks.0.objectType: is required\n' +
          '  - (root): must be an object',
        problems: [
          { path: 'tasks.0.objectType', message: 'is required' },
          { path: '', message: 'must be an object' },
        ],
      },
    });
    // ConfigError is one too.
    expect(httpStatusOf(new ConfigError([{ path: 'http.port', message: 'must be a number' }]))).toBe(400);
  });

  it("answers the node's failures 500 without their message, and logs them", async () => {
    for (const [error, code] of [
      [new Error('secret detail of a bug'), 'INTERNAL_ERROR'],
      [new SyncbusError('DATABASE_UNREACHABLE', 'secret detail of the database'), 'DATABASE_UNREACHABLE'],
      // A status meant for something else (e.g. what a remote node answered) is not this request's answer.
      [
        Object.assign(new SyncbusError('STAGING_TRANSPORT_FAILED', 'remote said 401'), { statusCode: 401 }),
        'STAGING_TRANSPORT_FAILED',
      ],
      ['a string', 'INTERNAL_ERROR'],
    ] as const) {
      next = error;
      expect(await get('/throw')).toEqual({
        status: 500,
        body: { error: code, message: 'The node failed to handle the request; see its log.' },
      });
    }
    expect(logged.map((l) => l.msg)).toEqual(Array(4).fill('an HTTP request failed'));
  });

  it("keeps fastify's own refusals: a schema validation names its fields, a body too large is 413", async () => {
    const invalid = await fetch(`${app.listeningOrigin}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: 'x' }),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: 'FST_ERR_VALIDATION',
      message: expect.stringContaining('name'),
      problems: [{ path: 'body', message: "must have required property 'name'" }],
    });
    const large = await fetch(`${app.listeningOrigin}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(100) }),
    });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ error: 'FST_ERR_CTP_BODY_TOO_LARGE' });
  });

  it('answers a refusal thrown from a hook, keeping the headers the hook set', async () => {
    const answer = await fetch(`${app.listeningOrigin}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-refuse': '1' },
      body: '{}',
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('connection')).toBe('close');
    expect(await answer.json()).toEqual({ error: 'UNAUTHORIZED', message: 'Send a token.' });
  });

  it('reads the kind by name, so an error of another copy of @syncbus/core is answered the same', () => {
    const foreign = Object.assign(new Error('No such thing.'), {
      code: 'THING_NOT_FOUND',
      kind: 'not-found',
    });
    expect(httpStatusOf(foreign)).toBe(404);
    expect(errorBodyOf(foreign)).toEqual({ error: 'THING_NOT_FOUND', message: 'No such thing.' });
    expect(httpStatusOf(Object.assign(new Error('x'), { kind: 'no-such-kind' }))).toBe(500);
  });
});
