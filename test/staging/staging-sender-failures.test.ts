// Whatever goes wrong on the way to a target, the source keeps its tasks pending with an error that says what
// happened: unknown or disabled server, unreachable target, 4xx/5xx, timeout, a reply that is not the protocol.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ServerDisabledError,
  ServerInfoProvider,
  StagingTaskRunner,
  SynchronizationInfoProvider,
  UnknownServerError,
} from '@syncbus/staging';
import { Category } from '../support/content-model';
import {
  bootStagingNode,
  createTestSecret,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';

type Answer = (respond: (status: number, body: string, type?: string) => void) => void;

describe('staging sender failures', () => {
  let fake: Server;
  let fakeUrl: string;
  let answer: Answer;
  let node: StagingNode;
  let secret: TestSecret;

  beforeAll(async () => {
    fake = createServer((request, response) => {
      request.resume();
      request.on('end', () =>
        answer((status, body, type = 'application/json') => {
          response.writeHead(status, { 'content-type': type });
          response.end(body);
        }),
      );
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise((resolve) => fake.close(resolve));
  });

  beforeEach(async () => {
    secret = createTestSecret();
    node = await bootStagingNode({
      name: 'source',
      http: false,
      staging: { requestTimeoutMs: 1000 },
      servers: [{ name: 'fake', url: fakeUrl, secret }],
    });
    await node.storage.dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
  });
  afterEach(async () => {
    await node.stop();
    delete process.env[secret.variable];
  });

  const serverId = async () => (await node.kernel.get(ServerInfoProvider).getServer('fake'))!.id;
  const run = async () => new StagingTaskRunner(await serverId(), node.kernel).runSynchronization();
  const rows = () => node.kernel.get(SynchronizationInfoProvider).getSynchronizations();
  const expectPendingWith = async (error: RegExp) => {
    const summary = await run();
    expect(summary).toMatchObject({ sent: 0, applied: 0, failed: 1 });
    expect(summary.error).toMatch(error);
    const [row] = await rows();
    // A failure of the batch as a whole counts no attempt: an outage never turns tasks failed.
    expect(row).toMatchObject({ status: 'pending', attempts: 0, leaseOwner: null });
    expect(row.lastError).toMatch(error);
    expect(row.nextAttemptAt).toBeGreaterThan(Date.now());
    expect(await node.storage.dataSource.query('SELECT id FROM staging_task')).toHaveLength(1);
  };

  it('an unknown server is a typed error', async () => {
    await expect(new StagingTaskRunner(9999, node.kernel).runSynchronization()).rejects.toBeInstanceOf(
      UnknownServerError,
    );
  });

  it('a disabled server is a typed error and its tasks stay pending untouched', async () => {
    await node.kernel.get(ServerInfoProvider).disableServer('fake');
    await expect(run()).rejects.toThrow(ServerDisabledError);
    await expect(run()).rejects.toThrow(/'fake' is disabled.*stay pending/);
    expect(await rows()).toMatchObject([{ status: 'pending', attempts: 0, lastError: null }]);
  });

  it('an unreachable target', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await node.kernel.get(ServerInfoProvider).editServer('fake', { url: `http://127.0.0.1:${port}` });
    await expectPendingWith(/could not be reached \(ECONNREFUSED\)/);
  });

  it('a 5xx answer', async () => {
    answer = (respond) => respond(503, 'upstream overloaded', 'text/plain');
    await expectPendingWith(/answered 503: "upstream overloaded"/);
  });

  it('a 4xx answer carries the receiver message', async () => {
    answer = (respond) =>
      respond(401, JSON.stringify({ error: 'BAD_SIGNATURE', message: 'The signature does not match' }));
    await expectPendingWith(/answered 401: The signature does not match/);
  });

  it('a target that does not answer in time', async () => {
    answer = () => undefined;
    await expectPendingWith(/did not answer within 1000 ms/);
  });

  it('a reply that is not the protocol: HTML, or JSON of the wrong shape', async () => {
    answer = (respond) => respond(200, '<html>Welcome to nginx</html>', 'text/html');
    await expectPendingWith(/not the staging protocol \("<html>Welcome to nginx<\/html>"\)/);
  });

  it('a reply larger than any staging reply is not read to its end', async () => {
    answer = (respond) => respond(200, JSON.stringify({ results: [], padding: 'x'.repeat(2 * 1024 * 1024) }));
    await expectPendingWith(
      /answered 200 with a reply of more than 1048576 bytes, which is not the staging protocol/,
    );
  });

  it('a reply with results that do not match the tasks', async () => {
    answer = (respond) => respond(200, JSON.stringify({ results: [] }));
    await expectPendingWith(/not the staging protocol/);
  });

  it('a missing secret is a typed error naming the reference, never the value', async () => {
    await node.kernel.get(ServerInfoProvider).editServer('fake', { secret: 'env:SYNCBUS_TEST_UNSET_SECRET' });
    await expect(run()).rejects.toThrow(/'fake' \(env:SYNCBUS_TEST_UNSET_SECRET\) is not set/);
    expect(await rows()).toMatchObject([{ attempts: 0 }]);
  });
});
