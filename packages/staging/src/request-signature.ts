// Staging's names for core's one HMAC request signature (timestamp "." raw body), kept for hosts and docs that use them.
import { signHmacRequest, verifyHmacSignature } from '@syncbus/core';

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`, the value of `X-Syncbus-Signature` (core's `signHmacRequest`). */
export const signStagingRequest = signHmacRequest;

/** True when `signature` is the right `v1=` signature of the request, compared in constant time (core's `verifyHmacSignature`). */
export const verifyStagingSignature = verifyHmacSignature;
