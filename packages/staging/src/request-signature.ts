// Signs and verifies staging requests: HMAC-SHA256 over timestamp and raw body, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`, the value of `X-Syncbus-Signature`. */
export function signStagingRequest(
  secret: string,
  timestamp: number | string,
  rawBody: string | Buffer,
): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** True when `signature` is the right `v1=` signature of the request; never short-circuits on content. */
export function verifyStagingSignature(
  secret: string,
  timestamp: string,
  rawBody: string | Buffer,
  signature: string,
): boolean {
  const expected = Buffer.from(signStagingRequest(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  // Lengths are public (the format fixes them); only equal-length buffers can be compared.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
