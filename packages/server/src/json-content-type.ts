// What the node's POST routes share: the one content type they take (checked before the body is read) and how
// they read headers.
import { SyncbusError } from '@syncbus/core';

/** True for `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(';')[0].trim().toLowerCase() === 'application/json';
}

/** The code and message of a 415 answer. */
export const UNSUPPORTED_MEDIA_TYPE = {
  error: 'UNSUPPORTED_MEDIA_TYPE',
  message: 'Send the body as application/json (Content-Type: application/json).',
} as const;

/** A POST whose body is not `application/json` (415). */
export class UnsupportedMediaTypeError extends SyncbusError {
  constructor() {
    super(UNSUPPORTED_MEDIA_TYPE.error, UNSUPPORTED_MEDIA_TYPE.message, { kind: 'unsupported-media-type' });
  }
}

/** Header values by lower-case name, the first of a repeated header. */
export function headerMap(
  raw: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(raw))
    headers[key.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  return headers;
}
