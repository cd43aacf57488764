// A loopback port nobody listens on right now, for tests whose configs must name a port before the node starts.
import { createServer } from 'node:net';

/** Listens on port 0, reads the port the system chose, and closes again. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}
