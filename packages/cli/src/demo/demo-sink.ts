// The demo's stand-in for an external system: an HTTP endpoint the webhook connector posts to, checking signatures.
import { verifyHmacSignature } from '@syncbus/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the sink accepted: one entry per distinct idempotency key. */
export interface SinkDelivery {
  readonly key: string;
  readonly body: unknown;
  readonly receivedAt: number;
}

/** A local webhook receiver verifying the connector's HMAC signature, as an external system in any language would. */
export class DemoSink {
  readonly deliveries = new Map<string, SinkDelivery>();
  rejected = 0;
  private server?: Server;

  constructor(
    private readonly secret: string,
    private readonly onDelivery: (delivery: SinkDelivery) => void,
  ) {}

  /** Listens on a free loopback port; resolves with the URL. */
  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const timestamp = String(request.headers['x-syncbus-timestamp'] ?? '');
        const signature = String(request.headers['x-syncbus-signature'] ?? '');
        if (!verifyHmacSignature(this.secret, timestamp, raw, signature)) {
          this.rejected++;
          response.writeHead(401).end('bad signature');
          return;
        }
        const key = String(request.headers['idempotency-key'] ?? '');
        if (!this.deliveries.has(key)) {
          const delivery = { key, body: JSON.parse(raw.toString('utf8')), receivedAt: Date.now() };
          this.deliveries.set(key, delivery);
          this.onDelivery(delivery);
        }
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/syncbus`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
