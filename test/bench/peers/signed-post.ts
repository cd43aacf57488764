// Posts signed staging requests (DESIGN's wire format) over keep-alive HTTP; every contender uses this client.
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';

/** `v1=<hex HMAC-SHA256 of timestamp + "." + body>`, as the staging wire format signs requests. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A reply: HTTP status and parsed JSON body. */
export interface PostReply {
  readonly status: number;
  readonly body: any;
}

/** Sends `POST {target}/syncbus/staging/v1/tasks` bodies, signed with the target server's shared secret. */
export class SignedPoster {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(
    target: string,
    private readonly secret: string,
    maxSockets = 32,
  ) {
    this.url = new URL('/syncbus/staging/v1/tasks', target);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Posts a JSON body (already a string, so batches can be spliced from stored task JSON). */
  post(body: string): Promise<PostReply> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return new Promise<PostReply>((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-syncbus-timestamp': timestamp,
            'x-syncbus-signature': signature(this.secret, timestamp, body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
            } catch {
              resolve({ status: res.statusCode ?? 0, body: text });
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Posts and throws unless every task came back applied (or duplicate): a contender must not count failures. */
  async postAndCheck(body: string, expected: number): Promise<void> {
    const reply = await this.post(body);
    const results: { status?: string; outcome?: string }[] | undefined =
      reply.body?.results ?? reply.body?.tasks;
    const ok =
      results?.filter((r) => ['applied', 'duplicate'].includes(r.status ?? r.outcome ?? '')).length ?? 0;
    if (reply.status !== 200 || ok !== expected) {
      throw new Error(
        `receiver answered ${reply.status} with ${ok}/${expected} tasks applied: ${JSON.stringify(reply.body).slice(0, 300)}`,
      );
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Wraps task JSON strings into one request body (`{ protocol: 1, source: { server }, tasks: [...] }`). */
export function requestBody(source: string, taskJson: readonly string[]): string {
  return `{"protocol":1,"source":{"server":${JSON.stringify(source)}},"tasks":[${taskJson.join(',')}]}`;
}
