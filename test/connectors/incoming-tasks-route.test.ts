// The server's generic inbound route over real HTTP: per-connector bearer auth (the default), statuses for every
// refusal, the receipt, and a redelivered task guid answered as a duplicate and applied once.
import { Storage } from '@syncbus/core';
import { INCOMING_TASKS_BODY_LIMIT } from '@syncbus/integration/internal';
import { resetScripts } from '@syncbus-fixtures/scripted-connector';
import { Article } from '../support/content-model';
import { openRaw, within } from '../support/raw-http';
import { createTestSecret } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootConnectorNode, until, type ConnectorNode } from './connector-node';

describe('POST /syncbus/integration/v1/connectors/:name/tasks', () => {
  let node: ConnectorNode;
  const token = createTestSecret();
  beforeAll(async () => {
    resetScripts();
    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('incoming-route'),
      plugins: ['@syncbus-fixtures/scripted-connector'],
      connectors: [
        { name: 'alpha', config: { endpoint: 'https://alpha.example.test' }, incomingToken: token.ref },
        { name: 'beta', config: { endpoint: 'https://beta.example.test' } },
      ],
      http: true,
    });
  });
  afterAll(() => node.stop());

  const post = (connector: string, body: string | object, auth: string | null = token.value) =>
    fetch(`${node.url}/syncbus/integration/v1/connectors/${connector}/tasks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(auth === null ? {} : { authorization: `Bearer ${auth}` }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

  const task = (guid?: string) => ({
    taskType: 'create',
    objectType: 'cms.article',
    externalId: 'ext-r-1',
    ...(guid ? { guid } : {}),
    object: { id: 'ext-r-1', headline: 'Posted' },
  });

  it('accepts authenticated tasks (202 with the receipt) and applies them; a redelivered guid is a duplicate', async () => {
    const guid = '0b7d3c1e-5a0e-4c59-9a55-7d1f3f6f2a01';
    const first = await post('alpha', { tasks: [task(guid)] });
    expect(first).toEqual({ status: 202, body: { tasks: [{ guid, status: 'accepted' }] } });
    const again = await post('alpha', { tasks: [task(guid)] });
    expect(again).toEqual({ status: 202, body: { tasks: [{ guid, status: 'duplicate' }] } });

    const repository = node.storage.dataSource.getRepository(Article);
    const applied = await until(
      () => repository.findOne({ where: { guid: 'r-1' } }).then((a) => a ?? undefined),
      'the article',
    );
    expect(applied.title).toBe('Posted');
    const ledger = await node.kernel
      .get(Storage)
      .dataSource.query('SELECT task_guid FROM integration_received_task');
    expect(ledger).toEqual([{ task_guid: guid }]);
  });

  it('refuses with the right status and a message that says what to do', async () => {
    expect(await post('alpha', { tasks: [task()] }, 'wrong')).toMatchObject({
      status: 401,
      body: { error: 'UNAUTHORIZED', message: expect.stringContaining('Authorization: Bearer') },
    });
    expect(await post('alpha', { tasks: [task()] }, null)).toMatchObject({ status: 401 });
    expect(await post('gamma', { tasks: [task()] })).toMatchObject({
      // answered exactly as a wrong token: a stranger cannot learn which connectors exist
      status: 401,
      body: { error: 'UNAUTHORIZED' },
    });
    expect(await post('beta', { tasks: [task()] })).toMatchObject({
      status: 403,
      body: { error: 'INCOMING_NOT_CONFIGURED', message: expect.stringContaining('incomingToken') },
    });
    // malformed JSON is reported only to an authenticated caller
    expect(await post('alpha', '{"tasks": [', 'wrong')).toMatchObject({ status: 401 });
    expect(await post('alpha', '{"tasks": [')).toMatchObject({
      status: 400,
      body: { error: 'MALFORMED_JSON' },
    });
    const fields = await post('alpha', { tasks: [{ objectType: '', object: {} }], extra: 1 });
    expect(fields.status).toBe(400);
    expect(fields.body.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      '',
      'tasks.0.objectType',
      'tasks.0.taskType',
    ]);
    const huge = await post('alpha', {
      tasks: [{ ...task(), object: { blob: 'x'.repeat(INCOMING_TASKS_BODY_LIMIT) } }],
    });
    expect(huge.status).toBe(413);
  });
});

describe('the inbound route before the body is read', () => {
  let node: ConnectorNode;
  const token = createTestSecret();
  beforeAll(async () => {
    resetScripts();
    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('incoming-headers'),
      plugins: ['@syncbus-fixtures/scripted-connector'],
      connectors: [
        { name: 'alpha', config: { endpoint: 'https://alpha.example.test' }, incomingToken: token.ref },
      ],
      http: true,
    });
  });
  afterAll(() => node.stop());

  it.each([
    ['a wrong token', 'alpha', `Bearer wrong`, 1000, 401],
    ['no token', 'alpha', undefined, 1000, 401],
    ['an unknown connector', 'nobody', `Bearer ${token.value}`, 1000, 401],
    [
      'a declared length over the limit',
      'alpha',
      `Bearer ${token.value}`,
      INCOMING_TASKS_BODY_LIMIT + 1,
      413,
    ],
  ])(
    'refuses %s from the headers, without waiting for the body',
    async (_, connector, auth, length, status) => {
      const client = openRaw(node.url!);
      client.socket.write(
        `POST /syncbus/integration/v1/connectors/${connector}/tasks HTTP/1.1\r\nHost: node\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${length}\r\n` +
          (auth ? `Authorization: ${auth}\r\n` : '') +
          '\r\n',
      );
      const answer = await within(3000, 'the answer and the close', client.answer);
      expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(answer).toMatch(/connection: close/i);
    },
  );

  it('answers a body of another content type with 415', async () => {
    const response = await fetch(`${node.url}/syncbus/integration/v1/connectors/alpha/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${token.value}` },
      body: JSON.stringify({ tasks: [] }),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('refuses a body nested too deep with 400, never a 500', async () => {
    const response = await fetch(`${node.url}/syncbus/integration/v1/connectors/alpha/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.value}` },
      body: `{"tasks":[{"taskType":"create","objectType":"cms.article","object":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'INVALID_BODY',
      message: expect.stringMatching(/deeper than 64/),
    });
  });
});
