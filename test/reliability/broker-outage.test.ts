// A broker outage, made by cutting the AMQP connector's connection in a TCP proxy the test controls: the
// connector pauses with backoff (one reconnect attempt at a time, no attempt counted on any task, nothing turns
// failed), and when the broker is reachable again every task arrives exactly once. Judged by the broker's queue.
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import type { Channel, ChannelModel } from 'amqplib';
import { IntegrationSynchronizations } from '@syncbus/integration';
import { Article } from '../support/content-model';
import { createTestSecret } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootConnectorNode, until, type ConnectorNode } from '../connectors/connector-node';
import { createTestVhost, type TestVhost } from '../connectors/rabbitmq';
import { setSuiteEnv } from '../support/suite-env';

const EXCHANGE = 'syncbus.tasks';
/** How long the broker stays unreachable: the scenario's length, not a wait for a condition. */
const OUTAGE_MS = 3000;

/** A TCP proxy to the broker that can refuse (and cut) connections; counts the connections it was asked for. */
async function startProxy(): Promise<{
  port: number;
  up: boolean;
  attempts: number;
  close(): Promise<void>;
}> {
  const open = new Set<Socket>();
  const state = { up: true, attempts: 0 };
  const server: Server = createServer((client) => {
    state.attempts += 1;
    if (!state.up) return void client.destroy();
    const broker = netConnect({ host: '127.0.0.1', port: 5672 });
    open.add(client).add(broker);
    const drop = () => {
      client.destroy();
      broker.destroy();
      open.delete(client);
      open.delete(broker);
    };
    client.on('error', drop).on('close', drop);
    broker.on('error', drop).on('close', drop);
    client.pipe(broker).pipe(client);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as { port: number }).port,
    get up() {
      return state.up;
    },
    set up(value: boolean) {
      state.up = value;
      if (!value) for (const socket of open) socket.destroy(); // the cut: every open connection drops
    },
    get attempts() {
      return state.attempts;
    },
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

describe('an AMQP broker that becomes unreachable', () => {
  const password = createTestSecret();
  setSuiteEnv({ [password.variable]: 'guest' });
  let vhost: TestVhost | undefined;
  let observer: ChannelModel | undefined;
  let node: ConnectorNode | undefined;
  let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
  afterAll(async () => {
    await node?.stop();
    await proxy?.close();
    await observer?.close().catch(() => undefined);
    await vhost?.delete();
  });

  it('pauses the connector without counting attempts, then delivers every task once', async () => {
    vhost = await createTestVhost('outage');
    if (!vhost) return;
    observer = await vhost.connect();
    const channel: Channel = await observer.createChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    await channel.assertQueue('all', { durable: true });
    await channel.bindQueue('all', EXCHANGE, '#');
    const received: string[] = [];
    await channel.consume('all', (message) => {
      if (!message) return;
      received.push(String(message.properties.messageId));
      channel.ack(message);
    });

    proxy = await startProxy();
    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('broker-outage'),
      plugins: ['@syncbus/connector-amqp'],
      connectors: [
        {
          name: 'amqp',
          config: {
            url: `amqp://127.0.0.1:${proxy.port}/${encodeURIComponent(vhost.name)}`,
            username: 'guest',
            password: password.ref,
            exchange: EXCHANGE,
            confirmTimeoutMs: 2000,
            connectTimeoutMs: 1000,
          },
        },
      ],
      // Three attempts would turn a task failed within a second if an outage counted them.
      integration: { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 800 } },
    });
    const articles = node.storage.dataSource.getRepository(Article);
    const rows = () => node!.kernel.get(IntegrationSynchronizations).list('amqp');

    for (let i = 0; i < 10; i++) await articles.save({ guid: `before-${i}`, title: 'before' });
    await until(() => received.length === 10 && rows().then((r) => r.length === 0), 'the first ten');

    proxy.up = false;
    const attemptsBefore = proxy.attempts;
    for (let i = 0; i < 40; i++) await articles.save({ guid: `during-${i}`, title: 'during' });
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const duringOutage = proxy.attempts - attemptsBefore;
    const held = await rows();
    expect(held).toHaveLength(40);
    for (const row of held) expect(row).toMatchObject({ status: 'pending', attempts: 0 });
    expect(
      held.every((r) =>
        /cannot work now: .*(external system is unavailable|cannot reach the broker)/.test(r.lastError ?? ''),
      ),
    ).toBe(true);
    // Every held task says why. One probe per pause (the first task that met the outage, then check()), with
    // backoff 100 ms doubling to 800 ms: a handful in 3 s, not one per task per retry.
    expect(duringOutage).toBeGreaterThan(0);
    expect(duringOutage).toBeLessThanOrEqual(12);

    const returned = Date.now();
    proxy.up = true;
    await until(
      () => received.length === 50 && rows().then((r) => r.length === 0),
      'every task after the outage',
      20_000,
    );
    const recoveryMs = Date.now() - returned;
    expect(new Set(received).size).toBe(50);
    console.log(
      `broker outage: ${OUTAGE_MS} ms, ${duringOutage} connection attempts during it, 40 tasks held with 0 attempts, ` +
        `all delivered ${recoveryMs} ms after the broker returned`,
    );
  }, 60_000);
});
