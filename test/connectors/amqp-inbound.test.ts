// @syncbus/connector-amqp consuming an inbound queue on the real RabbitMQ: messages become applied host changes,
// malformed ones are dead-lettered and logged, the consumer comes back after the broker drops it, and a consumer
// killed after the task committed but before the ack applies the redelivered message exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel } from 'amqplib';
import { IntegrationEvents } from '@syncbus/integration';
import { Article } from '../support/content-model';
import { captureLogger } from '../support/captured-logger';
import { createTestSecret } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootConnectorNode, FAST_INTEGRATION, until, type ConnectorNode } from './connector-node';
import { createTestVhost, type TestVhost } from './rabbitmq';
import { setSuiteEnv } from '../support/suite-env';

describe('@syncbus/connector-amqp, incoming', () => {
  const password = createTestSecret();
  setSuiteEnv({ [password.variable]: 'guest' });
  let vhost: TestVhost | undefined;
  let model: ChannelModel;
  let channel: Channel;

  beforeAll(async () => {
    vhost = await createTestVhost('in');
  });
  beforeEach(async () => {
    if (!vhost) return;
    model = await vhost.connect();
    channel = await model.createChannel();
  });
  afterEach(async () => {
    await model?.close().catch(() => undefined);
  });
  afterAll(async () => {
    await vhost?.delete();
  });

  const amqpEntry = (queue: string) => ({
    name: 'amqp',
    config: {
      url: vhost!.url,
      username: 'guest',
      password: password.ref,
      exchange: 'syncbus.out',
      objectTypes: ['cms.category'],
      incoming: { queue },
      reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
    },
  });
  const send = (queue: string, body: unknown, messageId: string | undefined = randomUUID()) =>
    channel.sendToQueue(queue, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), {
      persistent: true,
      messageId,
      contentType: 'application/json',
    });
  /** The queue's counts through a throwaway channel (checking a missing queue closes the channel it runs on). */
  const queueInfo = async (queue: string) => {
    const probe = await model.createChannel();
    probe.on('error', () => undefined);
    try {
      return await probe.checkQueue(queue);
    } catch {
      return undefined;
    } finally {
      await probe.close().catch(() => undefined);
    }
  };
  const consumed = (queue: string, timeoutMs = 10_000) =>
    until(() => queueInfo(queue).then((q) => q?.consumerCount === 1), `a consumer on ${queue}`, timeoutMs);
  const articleMessage = (id: string, title: string, taskType = 'create') => ({
    taskType,
    objectType: 'cms.article',
    externalId: id,
    object: { title },
  });

  describe('in process', () => {
    let node: ConnectorNode | undefined;
    afterEach(async () => {
      await node?.stop();
      node = undefined;
    });
    const article = (guid: string) =>
      node!.storage.dataSource
        .getRepository(Article)
        .findOne({ where: { guid }, relations: { category: true } })
        .then((a) => a ?? undefined);

    it('applies messages in order, translating references; a duplicate message id applies once', async () => {
      if (!vhost) return;
      node = await bootConnectorNode({
        databaseUrl: tempSqliteUrl('amqp-in'),
        plugins: ['@syncbus/connector-amqp'],
        connectors: [amqpEntry('apply')],
      });
      await consumed('apply');
      send('apply', {
        taskType: 'create',
        objectType: 'cms.category',
        externalId: 'crm',
        object: { name: 'CRM' },
      });
      const id = randomUUID();
      send(
        'apply',
        {
          ...articleMessage('i-1', 'first'),
          object: { title: 'first', category: { $ref: { type: 'cms.category', id: 'crm' } } },
        },
        id,
      );
      send('apply', articleMessage('i-1', 'second', 'update'));
      send('apply', articleMessage('i-1', 'first', 'update'), id); // a redelivery of the first, by id
      const applied = await until(async () => {
        const a = await article('i-1');
        return a?.title === 'second' ? a : undefined;
      }, 'the second title');
      expect(applied.category).toMatchObject({ code: 'crm', name: 'CRM' });
      const ledger = await node.storage.dataSource.query('SELECT task_guid FROM integration_received_task');
      expect(ledger).toHaveLength(3);
      await until(() => queueInfo('apply').then((q) => q?.messageCount === 0), 'all acknowledged');
      // the duplicate was acknowledged, not applied: the title stays 'second'
      expect((await article('i-1'))!.title).toBe('second');
    });

    it('dead-letters malformed messages and logs why, and keeps consuming', async () => {
      if (!vhost) return;
      const log = captureLogger('info');
      node = await bootConnectorNode({
        databaseUrl: tempSqliteUrl('amqp-in'),
        plugins: ['@syncbus/connector-amqp'],
        connectors: [amqpEntry('malformed')],
        logger: log.logger,
      });
      await consumed('malformed');
      send('malformed', '{"taskType": "create", ', 'bad-json');
      send('malformed', { taskType: 'create', objectType: 'cms.article' }, 'bad-shape');
      send('malformed', { ...articleMessage('p-1', 'x'), objectType: 'shop.product' }, 'unknown-type');
      // Validly shaped, but nested far past any real object: JSON.stringify of it would overflow the stack.
      const deep = JSON.stringify({ ...articleMessage('d-1', 'x'), object: { title: 'DEEP' } }).replace(
        '"DEEP"',
        '['.repeat(100_000) + ']'.repeat(100_000),
      );
      send('malformed', deep, 'too-deep');
      send('malformed', articleMessage('ok-1', 'still consuming'), 'good');
      await until(() => article('ok-1'), 'the good message applied');
      await until(() => queueInfo('malformed.dead').then((q) => q?.messageCount === 4), 'four dead letters');
      const reasons = log.lines.filter((l) => l.msg === 'inbound AMQP message dead-lettered');
      expect(Object.fromEntries(reasons.map((l) => [l.messageId, l.reason]))).toEqual({
        'bad-json': expect.stringContaining('the body is not valid JSON'),
        'bad-shape': expect.stringMatching(/the body is not a task \(.*externalId.*object/),
        'unknown-type': expect.stringContaining("object type 'shop.product' is not synchronized here"),
        'too-deep': expect.stringContaining('nests deeper than 64 levels'),
      });
      const letter = await channel.get('malformed.dead');
      expect(letter && letter.properties.headers?.['x-death']?.[0]).toMatchObject({
        reason: 'rejected',
        queue: 'malformed',
      });
    });

    it('dead-letters a message that keeps failing after its redeliveries, and the queue moves on', async () => {
      if (!vhost) return;
      const log = captureLogger('info');
      const entry = amqpEntry('stuck');
      node = await bootConnectorNode({
        databaseUrl: tempSqliteUrl('amqp-in'),
        plugins: ['@syncbus/connector-amqp'],
        connectors: [
          {
            ...entry,
            config: { ...entry.config, incoming: { queue: 'stuck', maxRedeliveries: 3, requeueDelayMs: 10 } },
          },
        ],
        logger: log.logger,
      });
      // A host handler that fails this one object with an ordinary error: retried, as a passing fault would be.
      node.kernel.get(IntegrationEvents).logExternalTask.before.add(({ task }) => {
        if (task.objectGuid === 'stuck-1') throw new Error('not now');
      });
      await consumed('stuck');
      send('stuck', articleMessage('stuck-1', 'never'), 'stuck-message');
      send('stuck', articleMessage('next-1', 'behind it'), 'next-message');
      await until(() => article('next-1'), 'the message behind it applied');
      await until(
        () => queueInfo('stuck.dead').then((q) => q?.messageCount === 1),
        'the stuck message dead-lettered',
      );
      const given = log.lines.find(
        (l) => l.msg === 'inbound AMQP message dead-lettered after its redeliveries',
      );
      expect(given).toMatchObject({ messageId: 'stuck-message', requeues: 3 });
      expect(log.lines.filter((l) => l.msg === 'inbound task could not be logged; requeued')).toHaveLength(4);
    });

    it('consumes again after the broker drops its connection', async () => {
      if (!vhost) return;
      const log = captureLogger('info');
      node = await bootConnectorNode({
        databaseUrl: tempSqliteUrl('amqp-in'),
        plugins: ['@syncbus/connector-amqp'],
        connectors: [amqpEntry('reconnect')],
        logger: log.logger,
      });
      await log.waitFor((l) => l.msg === 'consuming the inbound AMQP queue');
      await vhost.closeConnections();
      await log.waitFor((l) => l.msg.startsWith('AMQP connection lost'));
      // the test's own connection was dropped too
      model = await vhost.connect();
      channel = await model.createChannel();
      await consumed('reconnect', 15_000);
      send('reconnect', articleMessage('back-1', 'after the drop'));
      expect(await until(() => article('back-1'), 'the message applied')).toMatchObject({
        title: 'after the drop',
      });
    });
  });

  it('a consumer killed after the task committed, before the ack, applies the redelivered message exactly once', async () => {
    if (!vhost) return;
    const folder = mkdtempSync(join(tmpdir(), 'syncbus-amqp-kill-'));
    const changes = join(folder, 'applied.ndjson');
    const config = {
      database: { url: tempSqliteUrl('amqp-kill') },
      plugins: ['@syncbus/connector-amqp', '@syncbus/connector-ndjson'],
      integration: FAST_INTEGRATION,
      connectors: [
        amqpEntry('kill'),
        // Every change applied in the host becomes one line here: the count of applies, across both processes.
        { name: 'ndjson', config: { path: changes, objectTypes: ['cms.article'] } },
      ],
    };
    const host = join(__dirname, '..', 'dist', 'connectors', 'amqp-host.js');
    const startHost = (env: NodeJS.ProcessEnv) => {
      const child = spawn(process.execPath, [host, JSON.stringify(config)], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: string[] = [];
      const err: string[] = [];
      child.stdout!.on('data', (chunk) => out.push(String(chunk)));
      child.stderr!.on('data', (chunk) => err.push(String(chunk)));
      return { child, out, err };
    };
    const exited = (child: ChildProcess) =>
      new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.once('exit', (code, signal) => resolve(signal ?? code)),
      );

    const first = startHost({ SYNCBUS_TEST_KILL_AFTER_COMMIT: 'k-2' });
    const firstExit = exited(first.child);
    await until(() => first.out.join('').includes('"ready"'), 'the first host', 20_000);
    await consumed('kill', 20_000);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    send('kill', articleMessage('k-1', 'one'), ids[0]);
    send('kill', articleMessage('k-2', 'two'), ids[1]);
    send('kill', articleMessage('k-3', 'three'), ids[2]);
    expect(await firstExit).toBe('SIGKILL');
    expect(first.out.join('')).toContain('"killing"');

    const second = startHost({});
    try {
      await until(() => second.out.join('').includes('"ready"'), 'the second host', 20_000);
      const lines = await until(
        () => {
          if (!existsSync(changes)) return undefined;
          const all = readFileSync(changes, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l));
          return ['k-1', 'k-2', 'k-3'].every((g) => all.some((l) => l.objectGuid === g)) ? all : undefined;
        },
        'all three applied',
        20_000,
      );
      // The broker redelivered the unacknowledged message; the ledger recognised it.
      await until(
        () => second.err.join('').includes('redelivered inbound message was already received'),
        'the duplicate noticed',
        10_000,
      );
      await until(
        () => queueInfo('kill').then((q) => q?.messageCount === 0 && q.consumerCount === 1),
        'all acknowledged',
      );
      // One applied change per message: distinct outgoing tasks (a line may repeat after the crash, its task may not).
      for (const guid of ['k-1', 'k-2', 'k-3']) {
        expect(new Set(lines.filter((l) => l.objectGuid === guid).map((l) => l.guid)).size).toBe(1);
      }
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  }, 60_000);
});
