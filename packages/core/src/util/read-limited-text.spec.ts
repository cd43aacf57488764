import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readLimitedText, ReplyTooLargeError } from './read-limited-text';

describe('readLimitedText', () => {
  let server: Server;
  let url: string;
  let streamed = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const size = Number(new URL(request.url!, 'http://x').searchParams.get('size'));
      if (request.url!.startsWith('/declared')) {
        response.writeHead(200, { 'content-length': String(size) });
        response.end('x'.repeat(size));
        return;
      }
      // Chunked, no Content-Length: the reader must stop counting bytes itself.
      response.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const chunk = 'y'.repeat(Math.min(1024, size - sent));
          sent += chunk.length;
          streamed = sent;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('returns a body up to the limit, declared or streamed', async () => {
    expect(await readLimitedText(await fetch(`${url}/declared?size=10`), 10)).toBe('x'.repeat(10));
    expect(await readLimitedText(await fetch(`${url}/chunked?size=3000`), 3000)).toBe('y'.repeat(3000));
  });

  it('refuses a body over the limit by its Content-Length or as it streams, without reading it all', async () => {
    await expect(readLimitedText(await fetch(`${url}/declared?size=11`), 10)).rejects.toBeInstanceOf(
      ReplyTooLargeError,
    );
    await expect(readLimitedText(await fetch(`${url}/chunked?size=50000000`), 4096)).rejects.toThrow(
      /exceeds 4096 bytes/,
    );
    // The server stopped long before the 50 MB it meant to send (its writes block once the reader cancels).
    expect(streamed).toBeLessThan(50_000_000);
  });
});
