// Signs and verifies staging requests with core's one HMAC scheme (timestamp "." raw body), under staging's names.
import { signHmacRequest, verifyHmacSignature } from '@syncbus/core';

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`, the value of `X-Syncbus-Signature`. */
export function signStagingRequest(
  secret: string,
  timestamp: number | string,
  rawBody: string | Buffer,
): string {
  return signHmacRequest(secret, timestamp, rawBody);
}

/** True when `signature` is the right `v1=` signature of the request; never short-circuits on content. */
export function verifyStagingSignature(
  secret: string,
  timestamp: string,
  rawBody: string | Buffer,
  signature: string,
): boolean {
  return verifyHmacSignature(secret, timestamp, rawBody, signature);
}
