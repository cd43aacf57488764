// @syncbus/connector-amqp publishing to the real RabbitMQ: confirmed, persistent messages once per task (message id =
// task guid) in order per object; unroutable and nacked publishes, a broker that is down at start and connections
// that drop mid-stream all end as recorded errors that are retried until every task arrives.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '@syncbus/core';
import { IntegrationSynchronizations } from '@syncbus/integration';
import { captureLogger } from '../support/captured-logger';
import { Article } from '../support/content-model';
import { createTestSecret } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootConnectorNode, until, type ConnectorNode } from './connector-node';
import { createTestVhost, type TestVhost } from './rabbitmq';
import { setSuiteEnv } from '../support/suite-env';

const PACKAGE = '@syncbus/connector-amqp';
const EXCHANGE = 'syncbus.tasks';

describe('@syncbus/connector-amqp, outgoing', () => {
  const password = createTestSecret();
  setSuiteEnv({ [password.variable]: 'guest' });
  let vhost: TestVhost | undefined;
  let observer: ChannelModel;
  let channel: Channel;
  let node: ConnectorNode | undefined;

  beforeAll(async () => {
    vhost = await createTestVhost('out');
    if (!vhost) return;
    observer = await vhost.connect();
    channel = await observer.createChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });
  afterAll(async () => {
    await observer?.close().catch(() => undefined);
    await vhost?.delete();
  });

  const boot = (config: Record<string, unknown> = {}, logger?: Logger) =>
    bootConnectorNode({
      logger,
      databaseUrl: tempSqliteUrl('amqp'),
      plugins: [PACKAGE],
      connectors: [
        {
          name: 'amqp',
          config: {
            url: vhost!.url,
            username: 'guest',
            password: password.ref,
            exchange: EXCHANGE,
            confirmTimeoutMs: 3000,
            ...config,
          },
        },
      ],
      integration: { retry: { maxAttempts: 50, baseDelayMs: 40, maxDelayMs: 200 } },
    });
  const articles = () => node!.storage.dataSource.getRepository(Article);
  const rows = () => node!.kernel.get(IntegrationSynchronizations).list('amqp');

  /** A queue bound to the exchange that collects every message (parsed) in arrival order. */
  async function collect(queue: string, pattern = '#', args: Record<string, unknown> = {}) {
    await channel.assertQueue(queue, { durable: true, arguments: args });
    await channel.bindQueue(queue, EXCHANGE, pattern);
    const received: { message: ConsumeMessage; body: any }[] = [];
    return {
      received,
      consume: () =>
        channel.consume(queue, (message) => {
          if (!message) return;
          received.push({ message, body: JSON.parse(message.content.toString('utf8')) });
          channel.ack(message);
        }),
    };
  }

  it('publishes each task as a persistent, confirmed message, in order per object', async () => {
    if (!vhost) return;
    const sink = await collect('all-tasks');
    await sink.consume();
    node = await boot({ secret: password.ref });
    const saved = [];
    for (const guid of ['m-1', 'm-2']) saved.push(await articles().save({ guid, title: `${guid} v1` }));
    for (const article of saved) {
      article.title = `${article.guid} v2`;
      await articles().save(article);
    }
    await until(() => sink.received.length === 4 && rows().then((r) => r.length === 0), 'four messages');
    const first = sink.received.find((r) => r.body.task.objectGuid === 'm-1')!;
    expect(first.message.fields.routingKey).toBe('cms.article.create');
    // The base class's externalMessage names this node (CoreSettings.nodeName, 'local' by default) as the source.
    expect(first.body.source).toEqual({ node: 'local' });
    expect(first.message.properties).toMatchObject({
      messageId: first.body.task.guid,
      deliveryMode: 2,
      contentType: 'application/json',
      type: 'cms.article.create',
      appId: 'syncbus',
    });
    expect(first.message.properties.headers).toMatchObject({
      'x-syncbus-object-type': 'cms.article',
      'x-syncbus-signature': expect.stringMatching(/^v1=[0-9a-f]{64}$/),
    });
    for (const guid of ['m-1', 'm-2']) {
      expect(
        sink.received.filter((r) => r.body.task.objectGuid === guid).map((r) => r.body.task.title),
      ).toEqual([`${guid} v1`, `${guid} v2`]);
    }
    await channel.deleteQueue('all-tasks');
  });

  it('an unroutable message is an Error until a queue is bound, then it is delivered', async () => {
    if (!vhost) return;
    node = await boot({ routingKey: 'unbound.{objectType}' });
    await articles().save({ guid: 'u-1', title: 'nobody listens' });
    const failed = await until(async () => (await rows())[0]?.lastError ?? undefined, 'the unroutable error');
    expect(failed).toContain(
      "the message is unroutable: no queue is bound to exchange 'syncbus.tasks' for routing key 'unbound.cms.article'",
    );
    const sink = await collect('late-binder', 'unbound.#');
    await sink.consume();
    await until(() => sink.received.length >= 1 && rows().then((r) => r.length === 0), 'delivery once bound');
    expect(sink.received[0].body.task.objectGuid).toBe('u-1');
    expect((await node.syncLog('amqp'))[0].error).toContain('unroutable');
    await channel.deleteQueue('late-binder');
  });

  it('a refused publish (nack from a full queue) is an Error, retried until the queue has room', async () => {
    if (!vhost) return;
    const sink = await collect('tiny', 'tiny.#', { 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    node = await boot({ routingKey: 'tiny.{objectGuid}' });
    await articles().save({ guid: 'n-1', title: 'fits' });
    await articles().save({ guid: 'n-2', title: 'refused' });
    const log = await until(async () => {
      const entries = await node!.syncLog('amqp');
      return entries.length > 0 ? entries : undefined;
    }, 'the nack');
    expect(log[0]).toMatchObject({ objectGuid: 'n-2', result: 'Error' });
    expect(log[0].error).toContain('the broker refused the message (nack)');
    await sink.consume();
    await until(() => sink.received.length === 2 && rows().then((r) => r.length === 0), 'both delivered');
    expect(sink.received.map((r) => r.body.task.objectGuid)).toEqual(['n-1', 'n-2']);
    await channel.deleteQueue('tiny');
  });

  it('a broker that is down at start holds tasks with the reason, without crashing', async () => {
    if (!vhost) return;
    node = await boot({ url: 'amqp://127.0.0.1:1/', connectTimeoutMs: 500 });
    await articles().save({ guid: 'down-1', title: 'waits' });
    const waiting = await until(async () => (await rows())[0]?.lastError ?? undefined, 'the reason');
    expect(waiting).toContain(
      'check() failed: cannot reach the broker at amqp://127.0.0.1:1/ (connect ECONNREFUSED',
    );
    expect((await rows())[0]).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('connections dropping mid-stream lose nothing: every task arrives, in order per object', async () => {
    if (!vhost) return;
    await channel.assertQueue('stream', { durable: true });
    await channel.bindQueue('stream', EXCHANGE, '#');
    const log = captureLogger('warn');
    node = await boot({}, log.logger);
    const objects = ['s-1', 's-2', 's-3', 's-4'];
    const versions = 40;
    const saved = [];
    for (const guid of objects) saved.push(await articles().save({ guid, title: `${guid} v1` }));
    // Changes keep coming while the broker drops every connection of the vhost twice (as a restart does).
    const writing = (async () => {
      for (let version = 2; version <= versions; version += 1) {
        for (const article of saved) {
          article.title = `${article.guid} v${version}`;
          await articles().save(article);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    await vhost.closeConnections();
    await log.waitFor((line) => line.msg.startsWith('AMQP connection lost'), 10_000);
    await vhost.closeConnections();
    await writing;
    // A task leaves the queue only once the broker confirmed it: then it sits in the durable queue.
    await until(async () => (await rows()).length === 0, 'every task confirmed', 30_000);
    expect(log.lines.filter((l) => l.msg.startsWith('AMQP connection lost')).length).toBeGreaterThanOrEqual(
      1,
    );

    const model = await vhost.connect();
    const reader = await model.createChannel();
    const received: any[] = [];
    for (let message = await reader.get('stream'); message; message = await reader.get('stream')) {
      received.push(JSON.parse(message.content.toString('utf8')));
      reader.ack(message);
    }
    await model.close();
    const total = objects.length * versions;
    expect(new Set(received.map((r) => r.task.guid)).size).toBe(total);
    for (const guid of objects) {
      const firsts: string[] = [];
      for (const r of received.filter((x) => x.task.objectGuid === guid))
        if (!firsts.includes(r.task.title)) firsts.push(r.task.title);
      expect(firsts).toEqual(Array.from({ length: versions }, (_, i) => `${guid} v${i + 1}`));
    }
  }, 60_000);
});
