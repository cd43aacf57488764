// The canonical form of an object's staged fields, which conflict detection compares: the same content compares
// equal whichever engine stored it and however its driver returned the values.
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { ObjectTypeInfo } from './object-types';

const NUMERIC = /int|float|double|real|decimal|numeric|number/i;
const TEMPORAL = /date|time/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `data` (a snapshot's values by property) in canonical form: dates as ISO 8601 in UTC with milliseconds (a
 * `date` column as `YYYY-MM-DD`), numbers as numbers where the driver gave strings (`'12.50'` is `12.5`),
 * booleans as booleans (SQLite's `1`), lists of references sorted by identity. Columns that each node's ORM
 * maintains by itself (`@UpdateDateColumn`, `@VersionColumn`) are left out: they differ between nodes holding
 * the same content. Properties the type does not know are kept as they are.
 */
export function canonicalData(
  info: ObjectTypeInfo,
  data: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const links = new Set(info.links.map((l) => l.relation.propertyName));
  const references = new Set(info.references.map((r) => r.relation.propertyName));
  const canonical: Record<string, unknown> = {};
  for (const property of Object.keys(data).sort()) {
    const value = data[property];
    if (value === undefined) continue;
    if (links.has(property)) {
      canonical[property] = Array.isArray(value) ? [...value].sort(byIdentity) : value;
      continue;
    }
    if (references.has(property)) {
      canonical[property] = value;
      continue;
    }
    const column = info.metadata.findColumnWithPropertyName(property);
    if (column && (column.isUpdateDate || column.isVersion)) continue;
    canonical[property] = column ? canonicalValue(column, value) : value;
  }
  return canonical;
}

/** JSON with every object's keys in sorted order, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

function canonicalValue(column: ColumnMetadata, value: unknown): unknown {
  if (value === null) return null;
  const type =
    typeof column.type === 'string' ? column.type : ((column.type as { name?: string }).name ?? '');
  if (/bool/i.test(type)) return typeof value === 'number' ? value !== 0 : value;
  if (TEMPORAL.test(type)) {
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) return value; // a `time` column, or not a date at all
    if (type === 'date')
      return typeof value === 'string' && DAY.test(value) ? value : date.toISOString().slice(0, 10);
    return date.toISOString();
  }
  if (NUMERIC.test(type) && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) {
    const number = Number(value);
    // A bigint beyond 2^53 stays text: as a number it would compare equal to its neighbours.
    return Number.isSafeInteger(number) || !Number.isInteger(number)
      ? number
      : value.replace(/^(-?)0+(?=\d)/, '$1');
  }
  return value;
}

function byIdentity(a: unknown, b: unknown): number {
  const identity = (v: unknown) => String((v as { $ref?: { identity?: unknown } })?.$ref?.identity ?? '');
  const x = identity(a);
  const y = identity(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
