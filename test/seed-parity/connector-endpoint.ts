// An HTTP endpoint on loopback that the fixture connectors post their tasks to; it records every post.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fixture connectors post for a task (see @syncbus-fixtures/seed-connectors). */
export interface PostedTask {
  readonly connector: string;
  readonly taskId: number;
  readonly guid: string;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly data: Record<string, unknown>;
}

/** The endpoint and what each path received, in arrival order. */
export interface ConnectorEndpoint {
  readonly url: string;
  /** Posts by path, e.g. `/my`. */
  readonly received: Map<string, PostedTask[]>;
  close(): Promise<void>;
}

/** Starts the endpoint on a free port; every post is answered 200. */
export async function startConnectorEndpoint(): Promise<ConnectorEndpoint> {
  const received = new Map<string, PostedTask[]>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.set(path, [
        ...(received.get(path) ?? []),
        JSON.parse(Buffer.concat(chunks).toString('utf8')) as PostedTask,
      ]);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
