// A real HTTP proxy on loopback between a staging source and its target, that tests can slow down, hold, or turn
// into a target that is down, and that counts requests, requests in flight and the outcomes the target answered.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The proxy and what it saw. */
export interface GatedProxy {
  readonly url: string;
  /** Requests received, in arrival order (1-based numbers). */
  readonly requests: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Requests waiting at the gate now. */
  readonly held: number;
  /** Task outcomes the target answered, counted by status (`applied`, `duplicate`, `error`). */
  readonly outcomes: Record<string, number>;
  /** Arrival times (epoch ms) of every request. */
  readonly arrivals: readonly number[];
  /** Added before forwarding each request, in ms. */
  delayMs: number;
  /** While true, requests are answered 503 without reaching the target. */
  down: boolean;
  /** Requests numbered `from` or later wait at the gate until `release()` (default: every request from now on). */
  hold(from?: number): void;
  /** Lets held requests (and later ones) through. */
  release(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `targetUrl` on a free loopback port. */
export async function startGatedProxy(targetUrl: string): Promise<GatedProxy> {
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let held = 0;
  let holdFrom = Infinity;
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const outcomes: Record<string, number> = {};
  const arrivals: number[] = [];

  const readBody = (request: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks)));
      request.on('error', reject);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const number = ++requests;
    arrivals.push(Date.now());
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const body = await readBody(request);
      if (proxy.down) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('target down (test proxy)');
        return;
      }
      if (number >= holdFrom && gate) {
        held += 1;
        await gate.promise;
        held -= 1;
      }
      if (proxy.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, proxy.delayMs));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name))
          headers[name] = value;
      }
      const answer = await fetch(new URL(request.url ?? '/', targetUrl), {
        method: request.method,
        headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
      });
      const text = await answer.text();
      try {
        for (const result of (JSON.parse(text) as { results?: { status: string }[] }).results ?? [])
          outcomes[result.status] = (outcomes[result.status] ?? 0) + 1;
      } catch {
        // Not a staging reply: nothing to count.
      }
      if (!response.destroyed) {
        response
          .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' })
          .end(text);
      }
    } catch (error) {
      if (!response.headersSent && !response.destroyed) response.writeHead(502).end(String(error));
    } finally {
      inFlight -= 1;
    }
  };

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const proxy: GatedProxy = {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get held() {
      return held;
    },
    outcomes,
    arrivals,
    delayMs: 0,
    down: false,
    hold(from = requests + 1) {
      holdFrom = from;
      if (!gate) {
        let open!: () => void;
        const promise = new Promise<void>((resolve) => (open = resolve));
        gate = { promise, open };
      }
    },
    release() {
      holdFrom = Infinity;
      gate?.open();
      gate = undefined;
    },
    async close() {
      proxy.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
