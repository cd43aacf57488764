// Headers of a request signed as syncbus signs (staging, the webhook connector's incoming route, HMAC helpers).
import { HMAC_SIGNATURE_HEADER, HMAC_TIMESTAMP_HEADER, signHmacRequest } from '@syncbus/core';

/**
 * `content-type`, `x-syncbus-timestamp` and `x-syncbus-signature` (`v1=` HMAC-SHA256 of `timestamp.body`) for
 * `body` sent as it is given here: pass the same string as the request body.
 */
export function signedHeaders(
  secret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    'content-type': 'application/json',
    [HMAC_TIMESTAMP_HEADER]: String(timestamp),
    [HMAC_SIGNATURE_HEADER]: signHmacRequest(secret, timestamp, body),
  };
}
