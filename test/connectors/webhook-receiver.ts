// A real HTTP endpoint on loopback for webhook tests: records every request (raw bytes and headers) and answers
// what the test scripts, per request.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived. */
export interface ReceivedCall {
  /** The request's path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly body: any;
  readonly at: number;
}

/** Answers a call; may leave `response` open (a hanging endpoint). */
export type Answer = (call: ReceivedCall, response: ServerResponse) => void;

/** A running endpoint. */
export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly calls: ReceivedCall[];
  answer: Answer;
  close(): Promise<void>;
}

/** Starts an endpoint on a free loopback port (or `port`), answering 200 `{"ok":true}` until told otherwise. */
export async function startReceiver(port = 0): Promise<WebhookReceiver> {
  const calls: ReceivedCall[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const call = { url: request.url ?? '', headers: request.headers, rawBody, body, at: Date.now() };
      calls.push(call);
      receiver.answer(call, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${actual}/hook`,
    port: actual,
    calls,
    answer: (_call, response) => void response.writeHead(200).end('{"ok":true}'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
