// The comparisons of conflict detection, on canonical data: was the object changed here, and the three-way merge.
import { canonicalJson } from '@syncbus/core/internal';
import type { ConflictKind } from '../entities/staging-conflict.entity';

/** An object's staged fields in canonical form (`canonicalData`); null when the object does not exist. */
export type Fields = Readonly<Record<string, unknown>> | null;

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** True when `target` holds `expected`'s value in every field `expected` has. */
export function holds(target: Fields, expected: Fields): boolean {
  if (target === null || expected === null) return target === expected;
  return Object.keys(expected).every((k) => same(target[k], expected[k]));
}

/**
 * Whether a task of `taskType` carrying `source` conflicts with the object as this node holds it (`target`),
 * given the state staging last left it in (`base`, undefined when there is none), and how. No base and an
 * existing object is no evidence of an edit here, so only a create finds a conflict then (created on both
 * sides). A target that already holds exactly what the task brings never conflicts.
 */
export function detectConflict(
  taskType: string,
  base: Fields | undefined,
  source: Fields,
  target: Fields,
): ConflictKind | undefined {
  if (taskType === 'delete') {
    if (target === null || base === undefined || base === null) return undefined;
    return holds(target, base) ? undefined : 'changed';
  }
  // A create of an object missing here applies as always (docs/conflicts.md); an update of one that staging left
  // here met a delete made here.
  if (target === null) return base && taskType !== 'create' ? 'deleted-on-target' : undefined;
  if (holds(target, source)) return undefined;
  if (base) return holds(target, base) ? undefined : taskType === 'create' ? 'created-on-both' : 'changed';
  return taskType === 'create' ? 'created-on-both' : undefined;
}

/** A three-way merge by field: the merged fields, and the fields changed differently on both sides. */
export interface Merge {
  readonly fields: Record<string, unknown>;
  readonly clashes: readonly string[];
}

/**
 * Merges by field: a field changed on one side only (against `base`) is taken from that side; a field changed
 * on both sides to the same value is that value; one changed on both sides differently is a clash, taken from
 * `prefer` (the source unless told otherwise).
 */
export function mergeFields(
  base: Readonly<Record<string, unknown>>,
  source: Readonly<Record<string, unknown>>,
  target: Readonly<Record<string, unknown>>,
  prefer: 'source' | 'target' = 'source',
): Merge {
  const fields: Record<string, unknown> = {};
  const clashes: string[] = [];
  for (const key of new Set([...Object.keys(source), ...Object.keys(target)])) {
    const inSource = key in source;
    const inTarget = key in target;
    const sourceChanged = inSource && !same(source[key], base[key]);
    const targetChanged = inTarget && !same(target[key], base[key]);
    if (sourceChanged && targetChanged && !same(source[key], target[key])) {
      clashes.push(key);
      fields[key] = prefer === 'source' ? source[key] : target[key];
    } else if (targetChanged || !inSource) fields[key] = target[key];
    else fields[key] = source[key];
  }
  return { fields, clashes: clashes.sort() };
}

/** The task types detection covers: the built-in ones (a host-defined task type applies unguarded). */
export function detects(taskType: string): boolean {
  return taskType === 'create' || taskType === 'update' || taskType === 'delete';
}

/** An object's base: its staged fields as stored (JSON text), or as a task of this request left them. */
export type Base = string | Readonly<Record<string, unknown>>;

/** A base's fields (parsing a stored one). */
export const baseFields = (base: Base): Readonly<Record<string, unknown>> =>
  typeof base === 'string' ? (JSON.parse(base) as Record<string, unknown>) : base;

/**
 * An object's base after a task: the task's fields over the previous base (a partial update leaves the rest as
 * it was); null when the task deleted the object. Kept in whatever form the fields came in (a create's are the
 * task's own, not copied): every comparison reads bases in canonical form.
 */
export function nextBase(
  previous: Base | null | undefined,
  fields: Readonly<Record<string, unknown>> | null,
): Readonly<Record<string, unknown>> | null {
  if (fields === null) return null;
  return previous ? { ...baseFields(previous), ...fields } : fields;
}
