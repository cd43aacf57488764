// Translation of references between the host's identities and an external system's ids (Kentico's TranslationHelper).
import type { ObjectReference } from '@syncbus/core';

/** True for `{ $ref: { type, identity } }`. */
export function isObjectReference(value: unknown): value is ObjectReference {
  const ref = (value as { $ref?: { type?: unknown; identity?: unknown } } | null)?.$ref;
  return !!ref && typeof ref.type === 'string' && typeof ref.identity === 'string';
}

/**
 * A copy of `data` in which every top-level reference (and every reference in a top-level array) is replaced by
 * what `translate(type, identity)` returns. Other values are kept as they are.
 */
export async function mapReferences(
  data: Readonly<Record<string, unknown>>,
  translate: (objectType: string, identity: string) => unknown,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (isObjectReference(value)) out[key] = await translate(value.$ref.type, value.$ref.identity);
    else if (Array.isArray(value))
      out[key] = await Promise.all(
        value.map((item) => (isObjectReference(item) ? translate(item.$ref.type, item.$ref.identity) : item)),
      );
    else out[key] = value;
  }
  return out;
}
