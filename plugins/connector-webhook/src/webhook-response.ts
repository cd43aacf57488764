// Maps what the endpoint answered (or how the request failed) to a processing result; the reply body is not trusted.
import type { ProcessingOutcome } from '@syncbus/integration/sdk';

/** Longest `Retry-After` honoured, in ms; a larger ask is capped so a bad header cannot park tasks for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** `Retry-After` as ms from `nowMs`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - nowMs;
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** At most `max` printable characters of an untrusted reply body, for an error message. */
export function snippet(body: string, max = 200): string {
  const clean = body.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

/** What the endpoint answered. */
export interface WebhookReply {
  readonly status: number;
  readonly retryAfter?: string | null;
  readonly location?: string | null;
  readonly body: string;
}

/** Answers that mean the endpoint, not the task: bad gateway, unavailable, gateway timeout, too many requests. */
const UNAVAILABLE = new Set([429, 502, 503, 504]);

/**
 * 2xx OK (whatever the body); 3xx Error (redirects are not followed, so a signed body never goes elsewhere);
 * 429, 502, 503, 504 unavailable (the connector pauses, no attempt counted), 408 and other 5xx Error, all retried
 * no sooner than `Retry-After`; other 4xx `on4xx`.
 */
export function outcomeOf(
  reply: WebhookReply,
  on4xx: 'Error' | 'ErrorAndSkip',
  url: string,
): ProcessingOutcome {
  const { status } = reply;
  if (status >= 200 && status < 300) return 'OK';
  const said = reply.body ? `: ${snippet(reply.body)}` : '';
  if (status >= 300 && status < 400) {
    return {
      result: 'Error',
      message:
        `${url} answered ${status}, redirecting to ${reply.location ?? '(no Location)'}; redirects are not ` +
        'followed, so set the connector url to the final address',
    };
  }
  if (UNAVAILABLE.has(status)) {
    // The endpoint as a whole is down or throttling: the connector pauses instead of failing task after task.
    return {
      result: 'Error',
      message: `${url} answered ${status}${said}; paused, retrying`,
      retryAfterMs: retryAfterMs(reply.retryAfter),
      unavailable: true,
    };
  }
  if (status === 408 || status >= 500) {
    return {
      result: 'Error',
      message: `${url} answered ${status}${said}; retrying`,
      retryAfterMs: retryAfterMs(reply.retryAfter),
    };
  }
  return {
    result: on4xx,
    message:
      `${url} refused the task with ${status}${said}; ` +
      (on4xx === 'Error' ? 'fix the receiver or the data, then retry the task' : 'the task was skipped'),
  };
}

/**
 * A request that got no answer: timeout, refused connection, DNS, TLS. The endpoint is unavailable, not the task
 * wrong: the connector pauses with backoff and counts no attempt.
 */
export function failureOf(error: unknown, url: string, timeoutMs: number): ProcessingOutcome {
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      result: 'Error',
      message: `${url} did not answer within ${timeoutMs} ms; paused, retrying`,
      unavailable: true,
    };
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return {
    result: 'Error',
    message: `could not reach ${url} (${reason}); paused, retrying`,
    unavailable: true,
  };
}
