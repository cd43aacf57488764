// What changed between two snapshots of an object: field by field (nested objects by path), so a task's view can
// show what it changes against the object's previous task. Arrays and values compare as JSON.

export interface FieldChange {
  /** `title`, `category.$ref.identity`, ... */
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every field that differs, in key order. */
export function diffSnapshots(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  if (!isRecord(before) || !isRecord(after)) {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    return [{ path: prefix || '(value)', kind: 'changed', before, after }];
  }
  const changes: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in before)) changes.push({ path, kind: 'added', after: after[key] });
    else if (!(key in after)) changes.push({ path, kind: 'removed', before: before[key] });
    else if (isRecord(before[key]) && isRecord(after[key]))
      changes.push(...diffSnapshots(before[key], after[key], path));
    else if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      changes.push({ path, kind: 'changed', before: before[key], after: after[key] });
  }
  return changes;
}
