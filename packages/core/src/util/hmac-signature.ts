// One HMAC request signature for every signed syncbus exchange (the staging wire format, webhook connectors), so a
// receiver in any language verifies all of them the same way.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the unix time (seconds) the request was signed at. */
export const HMAC_TIMESTAMP_HEADER = 'x-syncbus-timestamp';
/** Header carrying `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`. */
export const HMAC_SIGNATURE_HEADER = 'x-syncbus-signature';

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`: the value of `X-Syncbus-Signature`. */
export function signHmacRequest(
  secret: string,
  timestamp: number | string,
  rawBody: string | Buffer,
): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** True when `signature` is the right `v1=` signature of the request; compared in constant time. */
export function verifyHmacSignature(
  secret: string,
  timestamp: string,
  rawBody: string | Buffer,
  signature: string,
): boolean {
  const expected = Buffer.from(signHmacRequest(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  // Lengths are public (the format fixes them); only equal-length buffers can be compared.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * What the two headers alone say, before the body is read: `unsigned` when the timestamp is not unix seconds or
 * the signature is not a `v1=` one, `stale` when the timestamp is outside `toleranceSeconds` of now, else `ok`
 * (the signature itself still has to be checked over the body).
 */
export function checkHmacHeaders(request: {
  readonly timestamp?: string;
  readonly signature?: string;
  readonly toleranceSeconds: number;
  readonly nowMs?: number;
}): 'ok' | 'unsigned' | 'stale' {
  const { timestamp, signature } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature?.startsWith('v1=')) return 'unsigned';
  return Math.abs(timestampSkewSeconds(timestamp, request.nowMs)) > request.toleranceSeconds ? 'stale' : 'ok';
}

/** How far `timestamp` (unix seconds) is from now, in seconds: negative in the past. */
export function timestampSkewSeconds(timestamp: string, nowMs = Date.now()): number {
  return Number(timestamp) - Math.floor(nowMs / 1000);
}

/** Why a signed request was refused, or `ok`. */
export type HmacRequestCheck = 'ok' | 'unsigned' | 'bad-signature' | 'stale';

/**
 * Checks a signed request whole: both headers present (timestamp as unix seconds), the signature right, and the
 * timestamp within `toleranceSeconds` of `now` (a captured request cannot be replayed later).
 */
export function checkHmacRequest(request: {
  readonly secret: string;
  readonly timestamp?: string;
  readonly signature?: string;
  readonly rawBody: string | Buffer;
  readonly toleranceSeconds: number;
  readonly nowMs?: number;
}): HmacRequestCheck {
  const { timestamp, signature } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return 'unsigned';
  // Several comma-separated signatures (a sender signing with an old and a new secret during a rotation): any
  // one that matches will do. Each is compared, with no early exit.
  const candidates = signature.split(',', 4).map((s) => s.trim());
  const matches = candidates.map((s) => verifyHmacSignature(request.secret, timestamp, request.rawBody, s));
  if (!matches.includes(true)) return 'bad-signature';
  return Math.abs(timestampSkewSeconds(timestamp, request.nowMs)) > request.toleranceSeconds ? 'stale' : 'ok';
}
