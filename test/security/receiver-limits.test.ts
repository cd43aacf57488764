// What an unauthenticated or broken client can make a staging receiver hold: nothing it has not been sent. Requests
// are refused from their headers before the body is read, and slow, idle and surplus connections are closed.
// Real sockets on loopback, so the test sees what the node does with bytes that never come.
import { StagingReceivedTask } from '@syncbus/staging/internal';
import { openRaw as open, within } from '../support/raw-http';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

const PATH = '/syncbus/staging/v1/tasks';

const headers = (lines: Record<string, string | number>) =>
  `POST ${PATH} HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n` +
  Object.entries(lines)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('') +
  '\r\n';

describe('staging receiver limits', () => {
  let node: StagingNode;
  beforeAll(async () => {
    node = await bootStagingNode({
      name: 'target',
      acceptFrom: [{ server: 'source', secret: createTestSecret() }],
      staging: { receiver: { maxBodyBytes: 1024 * 1024 } },
      httpSettings: { requestTimeoutMs: 1500, headersTimeoutMs: 500, idleTimeoutMs: 1000, maxConnections: 8 },
    });
  });
  afterAll(() => node.stop());

  const now = () => Math.floor(Date.now() / 1000);
  const nothingApplied = async () =>
    expect(await node.storage.dataSource.getRepository(StagingReceivedTask).count()).toBe(0);

  it.each([
    ['unsigned', { 'Content-Length': 512 * 1024 }, 401, 'UNSIGNED_REQUEST'],
    [
      'stale',
      {
        'Content-Length': 1000,
        'X-Syncbus-Timestamp': now() - 3600,
        'X-Syncbus-Signature': `v1=${'0'.repeat(64)}`,
      },
      401,
      'STALE_TIMESTAMP',
    ],
    [
      'declared too large',
      {
        'Content-Length': 2 * 1024 * 1024,
        'X-Syncbus-Timestamp': now(),
        'X-Syncbus-Signature': `v1=${'0'.repeat(64)}`,
      },
      413,
      'BODY_TOO_LARGE',
    ],
  ])(
    'refuses a %s request from its headers, without waiting for its body',
    async (_, lines, status, code) => {
      const client = open(node.url!);
      client.socket.write(headers(lines)); // and never a byte of the body
      const answer = await within(3000, 'the answer and the close', client.answer);
      expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(answer).toMatch(/connection: close/i);
      expect(answer).toContain(`"error":"${code}"`);
      await nothingApplied();
    },
  );

  it('closes a request whose body trickles in slower than the request timeout allows', async () => {
    const client = open(node.url!);
    client.socket.write(
      headers({
        'Content-Length': 100,
        'X-Syncbus-Timestamp': now(),
        'X-Syncbus-Signature': `v1=${'0'.repeat(64)}`,
      }),
    );
    const drip = setInterval(() => client.socket.writable && client.socket.write('{'), 200);
    try {
      await within(6000, 'the slow request to be closed', client.closed);
    } finally {
      clearInterval(drip);
    }
    await nothingApplied();
  });

  it('closes a connection whose headers never finish', async () => {
    const client = open(node.url!);
    client.socket.write(`POST ${PATH} HTTP/1.1\r\nHost: node\r\n`);
    await within(5000, 'the half-sent request to be closed', client.closed);
  });

  it('closes a connection that sends nothing, and refuses connections past the cap', async () => {
    const idle = Array.from({ length: 8 }, () => open(node.url!));
    await Promise.all(idle.map((c) => new Promise((resolve) => c.socket.once('connect', resolve))));
    // The ninth is over http.maxConnections: closed at once, with no answer.
    const surplus = open(node.url!);
    await within(3000, 'the surplus connection to be closed', surplus.closed);
    expect(await surplus.answer).toBe('');
    // The idle ones are closed by the idle timeout.
    await within(6000, 'the idle connections to be closed', Promise.all(idle.map((c) => c.closed)));
  });
});
