// Reads a remote reply's body with a ceiling, so a misbehaving or hostile endpoint cannot fill this node's memory.
import { SyncbusError } from '../errors';

/** A reply body was larger than the caller reads; nothing of it is returned. */
export class ReplyTooLargeError extends SyncbusError {
  constructor(readonly limitBytes: number) {
    super(
      'REPLY_TOO_LARGE',
      `The reply body exceeds ${limitBytes} bytes, more than this node reads; check that the URL is the right ` +
        'endpoint and that it answers with a short reply.',
    );
  }
}

/**
 * The body of `response` as UTF-8 text, reading at most `maxBytes` from its stream: a larger body (by its
 * Content-Length, or once more bytes arrive) is cancelled and `ReplyTooLargeError` thrown.
 */
export async function readLimitedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ReplyTooLargeError(maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ReplyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
