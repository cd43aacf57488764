// The one content type the node's POST routes take, checked before the body is read.

/** True for `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(';')[0].trim().toLowerCase() === 'application/json';
}

/** The body of a 415 answer. */
export const UNSUPPORTED_MEDIA_TYPE = {
  error: 'UNSUPPORTED_MEDIA_TYPE',
  message: 'Send the body as application/json (Content-Type: application/json).',
} as const;
