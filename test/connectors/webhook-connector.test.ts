// @syncbus/connector-webhook against a real HTTP endpoint on loopback: signed deliveries a receiver verifies with
// plain Node crypto, once per task by Idempotency-Key and in order per object through retries, Retry-After honoured,
// every fault of a task (redirect, garbage, 5xx, 4xx) ending as a recorded error, and an endpoint that is down or
// throttling (refused, silent, 429/502/503/504) pausing the connector without counting attempts; never a lost task.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Storage } from '@syncbus/core';
import { IntegrationSynchronizations } from '@syncbus/integration';
import { Article, Category } from '../support/content-model';
import { createTestSecret } from '../support/staging-nodes';
import { openRaw, within } from '../support/raw-http';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootConnectorNode, until, type ConnectorNode } from './connector-node';
import { startReceiver, type ReceivedCall, type WebhookReceiver } from './webhook-receiver';

const PACKAGE = '@syncbus/connector-webhook';

/** What a receiver in any language does: HMAC-SHA256 over `timestamp + "." + raw body`, compared in constant time. */
function verify(call: ReceivedCall, secret: string): boolean {
  const timestamp = String(call.headers['x-syncbus-timestamp']);
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${call.rawBody}`).digest('hex')}`;
  const given = String(call.headers['x-syncbus-signature']);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

describe('@syncbus/connector-webhook, outgoing', () => {
  const secret = createTestSecret();
  let receiver: WebhookReceiver;
  let node: ConnectorNode | undefined;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
    await receiver.close();
  });

  const boot = (config: Record<string, unknown> = {}, url = receiver.url) =>
    bootConnectorNode({
      databaseUrl: tempSqliteUrl('webhook'),
      plugins: [PACKAGE],
      connectors: [{ name: 'webhook', config: { url, secret: secret.ref, timeoutMs: 1000, ...config } }],
    });
  const articles = () => node!.storage.dataSource.getRepository(Article);
  const rows = () => node!.kernel.get(IntegrationSynchronizations).list('webhook');

  it('delivers every task once per Idempotency-Key, in order per object, signed as documented', async () => {
    // The endpoint fails the first try of every third call (after reading it), so retries interleave.
    const accepted = new Map<string, ReceivedCall>();
    let count = 0;
    receiver.answer = (call, response) => {
      count += 1;
      const key = String(call.headers['idempotency-key']);
      if (count % 3 === 0 && !accepted.has(key)) return void response.writeHead(503).end('try later');
      if (!accepted.has(key)) accepted.set(key, call);
      response.writeHead(200).end();
    };
    node = await boot();
    const news = await node.storage.dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
    const saved = [];
    for (const guid of ['a-1', 'a-2', 'a-3'])
      saved.push(await articles().save({ guid, title: `${guid} v1`, category: news }));
    for (let version = 2; version <= 4; version += 1) {
      for (const article of saved) {
        article.title = `${article.guid} v${version}`;
        await articles().save(article);
      }
    }
    const tasks = 1 + 3 * 4;
    await until(
      () => accepted.size === tasks && rows().then((r) => r.length === 0),
      `${tasks} accepted tasks`,
    );

    expect(receiver.calls.every((call) => verify(call, secret.value))).toBe(true);
    expect(receiver.calls.every((call) => call.headers['idempotency-key'] === call.body.task.guid)).toBe(
      true,
    );
    expect(receiver.calls.length).toBeGreaterThan(tasks); // retries happened, with the same key
    for (const guid of ['a-1', 'a-2', 'a-3']) {
      const titles = [...accepted.values()]
        .filter((c) => c.body.task.objectGuid === guid)
        .map((c) => c.body.task.title);
      expect(titles).toEqual([1, 2, 3, 4].map((v) => `${guid} v${v}`));
    }
    const first = [...accepted.values()].find((c) => c.body.task.objectGuid === 'a-1')!;
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.body).toEqual({
      protocol: 1,
      source: { node: 'local' },
      task: {
        guid: expect.any(String),
        taskType: 'create',
        objectType: 'cms.article',
        objectId: 'a-1',
        objectGuid: 'a-1',
        title: 'a-1 v1',
        createdAt: expect.any(String),
        data: expect.objectContaining({ guid: 'a-1', title: 'a-1 v1', category: 'news' }),
      },
    });
    // a retry carries the same key and the same bytes
    const retried = receiver.calls.filter(
      (c, i) =>
        receiver.calls.findIndex((d) => d.headers['idempotency-key'] === c.headers['idempotency-key']) !== i,
    );
    expect(retried.length).toBeGreaterThan(0);
    for (const call of retried)
      expect(call.rawBody).toBe(accepted.get(String(call.headers['idempotency-key']))!.rawBody);
  });

  it('pauses on 429 until Retry-After, counting no attempt', async () => {
    receiver.answer = (call, response) => {
      if (receiver.calls.length === 1) return void response.writeHead(429, { 'retry-after': '1' }).end();
      response.writeHead(204).end();
    };
    node = await boot();
    await articles().save({ guid: 'r-1', title: 'rate limited' });
    const paused = await until(async () => {
      const [row] = await rows();
      return row?.lastError ? row : undefined;
    }, 'the pause');
    expect(paused).toMatchObject({ attempts: 0, status: 'pending' });
    expect(paused.lastError).toBe(
      `connector 'webhook' cannot work now: the external system is unavailable: ${receiver.url} answered 429; ` +
        'paused, retrying',
    );
    await until(() => receiver.calls.length === 2 && rows().then((r) => r.length === 0), 'the retry');
    // the policy alone would retry within 200 ms
    expect(receiver.calls[1].at - receiver.calls[0].at).toBeGreaterThanOrEqual(950);
    // An outage is the endpoint's, not the task's: the sync log of task errors stays empty.
    expect(await node.syncLog('webhook')).toEqual([]);
  });

  it('records each fault as an error on its task and goes on with other objects', async () => {
    const elsewhere = await startReceiver();
    receiver.answer = (call, response) => {
      switch (call.body?.task?.objectGuid) {
        case 'redirect':
          return void response.writeHead(302, { location: elsewhere.url }).end();
        case 'garbage-ok':
          return void response.writeHead(200).end('\u0000\u00ff not json <<<');
        case 'garbage-500':
          return void response.writeHead(500).end('<html>\u0000Internal kaboom</html>');
        case 'huge-500':
          return void response.writeHead(500).end('z'.repeat(1024 * 1024));
        case 'refused':
          return void response.writeHead(422).end('{"error":"title too long"}');
        default:
          response.writeHead(200).end();
      }
    };
    node = await boot({ timeoutMs: 300, on4xx: 'ErrorAndSkip' });
    for (const guid of ['redirect', 'garbage-ok', 'garbage-500', 'huge-500', 'refused', 'fine'])
      await articles().save({ guid, title: guid });

    const errors = await until(async () => {
      const log = await node!.syncLog('webhook');
      const by = new Map(log.map((e) => [e.objectGuid, e]));
      return ['redirect', 'garbage-500', 'huge-500', 'refused'].every((g) => by.has(g)) ? by : undefined;
    }, 'an error for each faulty object');
    expect(errors.get('redirect')!.error).toContain(`answered 302, redirecting to ${elsewhere.url}`);
    expect(errors.get('garbage-500')!.error).toBe(
      `${receiver.url} answered 500: <html> Internal kaboom</html>; retrying`,
    );
    // An error reply is read up to 64 KiB only.
    expect(errors.get('huge-500')!.error).toBe(
      `${receiver.url} answered 500: (the reply body exceeds 65536 bytes and was not read); retrying`,
    );
    expect(errors.get('refused')).toMatchObject({ result: 'ErrorAndSkip' });
    expect(errors.get('refused')!.error).toContain('422: {"error":"title too long"}');
    expect(elsewhere.calls).toEqual([]);
    await elsewhere.close();

    // Error keeps the task (retried); ErrorAndSkip and OK leave the queue
    const expected = ['cms.article:garbage-500', 'cms.article:huge-500', 'cms.article:redirect'];
    const keys = await until(async () => {
      const waiting = (await rows()).map((r) => r.objectKey).sort();
      return JSON.stringify(waiting) === JSON.stringify(expected) ? waiting : undefined;
    }, 'only the Error tasks left');
    expect(keys).toEqual(expected);
    expect(receiver.calls.filter((c) => c.body.task.objectGuid === 'fine')).toHaveLength(1);
    expect(receiver.calls.filter((c) => c.body.task.objectGuid === 'garbage-ok')).toHaveLength(1);
  });

  it('an endpoint that is down pauses the connector, counting no attempt, and gets everything once it is up', async () => {
    const port = receiver.port;
    await receiver.close();
    node = await boot({}, `http://127.0.0.1:${port}/hook`);
    for (const guid of ['d-1', 'd-2', 'd-3']) await articles().save({ guid, title: 'while down' });
    const paused = await until(async () => {
      const list = await rows();
      return list.length === 3 && list.every((r) => r.lastError) ? list : undefined;
    }, 'every task held with the reason');
    for (const row of paused) {
      expect(row).toMatchObject({ attempts: 0, status: 'pending' });
      expect(row.lastError).toBe(
        `connector 'webhook' cannot work now: the external system is unavailable: could not reach ` +
          `http://127.0.0.1:${port}/hook (ECONNREFUSED); paused, retrying`,
      );
    }

    receiver = await startReceiver(port);
    await until(() => receiver.calls.length === 3 && rows().then((r) => r.length === 0), 'delivery once up');
    expect(receiver.calls.map((c) => c.body.task.objectGuid)).toEqual(['d-1', 'd-2', 'd-3']);
    expect(verify(receiver.calls[0], secret.value)).toBe(true);
  });
});

describe('@syncbus/connector-webhook, incoming', () => {
  const secret = createTestSecret();
  let node: ConnectorNode;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('webhook-in'),
      plugins: [PACKAGE],
      connectors: [
        {
          name: 'webhook',
          config: { url: receiver.url, secret: secret.ref, incoming: { toleranceSeconds: 60 } },
        },
      ],
      http: true,
    });
  });
  afterAll(async () => {
    await node.stop();
    await receiver.close();
  });

  /** Posts as the external system would: the same scheme, with plain crypto. */
  const post = (body: string, options: { key?: string; timestamp?: number } = {}) => {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = `v1=${createHmac('sha256', options.key ?? secret.value)
      .update(`${timestamp}.${body}`)
      .digest('hex')}`;
    return fetch(`${node.url}/syncbus/integration/v1/connectors/webhook/tasks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-syncbus-timestamp': timestamp,
        'x-syncbus-signature': signature,
      },
      body,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
  };
  const tasks = (...list: object[]) => JSON.stringify({ tasks: list });

  it('applies a signed call, with references by external id, and does not echo it back', async () => {
    const sent = await post(
      tasks(
        { taskType: 'create', objectType: 'cms.category', externalId: 'crm', object: { name: 'From CRM' } },
        {
          taskType: 'create',
          objectType: 'cms.article',
          externalId: 'w-1',
          object: { title: 'Webhook article', category: { $ref: { type: 'cms.category', id: 'crm' } } },
        },
      ),
    );
    expect(sent.status).toBe(202);
    expect(sent.body.tasks.map((t: { status: string }) => t.status)).toEqual(['accepted', 'accepted']);
    const article = await until(
      () =>
        node.storage.dataSource
          .getRepository(Article)
          .findOne({ where: { guid: 'w-1' }, relations: { category: true } })
          .then((a) => a ?? undefined), // applied by the drain's poll: not there at the first look
      'the applied article',
    );
    expect(article).toMatchObject({ title: 'Webhook article', category: { code: 'crm', name: 'From CRM' } });
    expect(receiver.calls).toEqual([]);
  });

  it('refuses bad signatures, stale timestamps and malformed bodies, and records tasks that cannot apply', async () => {
    const body = tasks({
      taskType: 'create',
      objectType: 'cms.article',
      externalId: 'w-2',
      object: { title: 'x' },
    });
    expect((await post(body, { key: 'not-the-secret' })).status).toBe(401);
    expect((await post(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(401);
    // The signature is checked over the raw bytes first: badly signed garbage is never parsed.
    expect((await post('{"tasks": [ {', { key: 'not-the-secret' })).status).toBe(401);
    expect(await post('{"tasks": [ {')).toMatchObject({ status: 400, body: { error: 'MALFORMED_JSON' } });
    expect(await post(JSON.stringify({ tasks: [{ objectType: 'cms.article', object: {} }] }))).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'tasks.0.taskType' }] },
    });
    const unknown = await post(
      tasks({ taskType: 'create', objectType: 'shop.product', externalId: 'p-1', object: { sku: 'p-1' } }),
    );
    expect(unknown.status).toBe(202);
    const entry = await until(
      async () => (await node.syncLog('webhook')).find((e) => e.objectGuid === 'p-1'),
      'the recorded error',
    );
    expect(entry).toMatchObject({ inbound: true, result: 'Error' });
    expect(entry.error).toContain("Object type 'shop.product' is not synchronized on this node");
    const incoming = await node.kernel.get(IntegrationSynchronizations).list('webhook', 'incoming');
    expect(incoming).toEqual([expect.objectContaining({ objectKey: 'shop.product:p-1', status: 'failed' })]);
    expect(
      await node.kernel.get(Storage).dataSource.getRepository(Article).findOneBy({ guid: 'w-2' }),
    ).toBeNull();
  });

  it.each([
    ['no signature headers', {}],
    [
      'a stale timestamp',
      { 'X-Syncbus-Timestamp': Math.floor(Date.now() / 1000) - 3600, 'X-Syncbus-Signature': 'v1=00' },
    ],
  ])('refuses a call with %s from its headers, before reading its body', async (_, lines) => {
    const client = openRaw(node.url!);
    client.socket.write(
      'POST /syncbus/integration/v1/connectors/webhook/tasks HTTP/1.1\r\nHost: node\r\n' +
        'Content-Type: application/json\r\nContent-Length: 1000000\r\n' +
        Object.entries(lines)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n',
    );
    const answer = await within(3000, 'the answer and the close', client.answer);
    expect(answer).toMatch(/^HTTP\/1.1 401 /);
    expect(answer).toContain('"error":"UNAUTHORIZED"');
  });
});
