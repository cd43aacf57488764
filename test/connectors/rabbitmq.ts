// The real RabbitMQ on this machine for connector tests: a fresh vhost per suite (its own exchanges and queues,
// deleted afterwards, and connections that can be closed without touching anyone else's). Outside CI a missing
// broker skips loudly; in CI (`CI=true`) it fails.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { promisify } from 'node:util';
import { connect, type ChannelModel } from 'amqplib';

const run = promisify(execFile);

/** A vhost created for one suite. */
export interface TestVhost {
  readonly name: string;
  /** `amqp://127.0.0.1:5672/<vhost>` without credentials (the connector takes the password by reference). */
  readonly url: string;
  /** The same with guest credentials, for the test's own connections. */
  readonly guestUrl: string;
  /** Closes every client connection to the vhost (as a broker restart would), bounded. */
  closeConnections(): Promise<void>;
  /** A connection of the test's own. */
  connect(): Promise<ChannelModel>;
  delete(): Promise<void>;
}

const rabbitmqctl = (...args: string[]) => run('rabbitmqctl', ['-q', ...args], { timeout: 30_000 });

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Creates `syncbus-test-<label>-<random>`, or returns undefined (with a warning) when no broker runs and not in CI. */
export async function createTestVhost(label: string): Promise<TestVhost | undefined> {
  if (!(await portOpen(5672))) {
    if (process.env.CI === 'true')
      throw new Error(
        'RabbitMQ is required in CI but 127.0.0.1:5672 does not answer; start it (see .ci/run).',
      );
    console.warn(
      '\n*** SKIPPED: RabbitMQ tests did not run (127.0.0.1:5672 does not answer); with CI=true this fails.\n',
    );
    return undefined;
  }
  const name = `syncbus-test-${label}-${randomBytes(4).toString('hex')}`;
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  const url = `amqp://127.0.0.1:5672/${encodeURIComponent(name)}`;
  const guestUrl = `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(name)}`;
  return {
    name,
    url,
    guestUrl,
    closeConnections: async () => {
      await rabbitmqctl('close_all_connections', '--vhost', name, 'syncbus test: broker going away');
    },
    connect: async () => {
      const model = await connect(guestUrl);
      model.on('error', () => undefined);
      return model;
    },
    delete: async () => {
      await rabbitmqctl('delete_vhost', name);
    },
  };
}
