// How a conflict's three versions differ field by field, and whether it can still be resolved: one reading for the
// CLI, the admin API and the dashboard.
import { canonicalJson } from '@syncbus/core/internal';
import type { StagingConflict } from '../entities/staging-conflict.entity';

/** One version of a conflict's object: its staged fields, or null where there is none (a delete, not there). */
export type ConflictVersion = Record<string, unknown> | null;

/** One field that is not the same in all three versions. An absent `base`/`source`/`target` key: that version lacks it. */
export interface ConflictField {
  readonly field: string;
  readonly base?: unknown;
  readonly source?: unknown;
  readonly target?: unknown;
  readonly changedOnSource: boolean;
  readonly changedOnTarget: boolean;
  /** Changed on both sides to different values: a merge takes the source's. */
  readonly clash: boolean;
}

/** The three versions of a conflict, parsed. */
export function conflictVersions(c: StagingConflict): {
  base: ConflictVersion;
  source: ConflictVersion;
  target: ConflictVersion;
} {
  const parse = (json: string | null): ConflictVersion => (json === null ? null : JSON.parse(json));
  return { base: parse(c.base), source: parse(c.source), target: parse(c.target) };
}

/**
 * The fields whose values are not the same in all three versions, in field order. A side "changed" a field when
 * its value is not the base's; with no base there is nothing to tell an edit from, so each side counts as
 * changed where the two sides differ. A missing version differs in every field.
 */
export function conflictFields(c: StagingConflict): ConflictField[] {
  const { base, source, target } = conflictVersions(c);
  const keys = [
    ...new Set([...Object.keys(base ?? {}), ...Object.keys(source ?? {}), ...Object.keys(target ?? {})]),
  ].sort();
  // undefined for a missing version, so it differs from any value; a missing field reads as null.
  const text = (v: ConflictVersion, k: string) => (v === null ? undefined : canonicalJson(v[k] ?? null));
  const valueOf = (name: 'base' | 'source' | 'target', version: ConflictVersion, field: string) =>
    version !== null && field in version ? { [name]: version[field] } : {};
  return keys
    .filter((k) => new Set([text(base, k), text(source, k), text(target, k)]).size > 1)
    .map((field) => {
      const [b, s, t] = [text(base, field), text(source, field), text(target, field)];
      const changedOnSource = base === null ? s !== t : s !== b;
      const changedOnTarget = base === null ? s !== t : t !== b;
      return {
        field,
        ...valueOf('base', base, field),
        ...valueOf('source', source, field),
        ...valueOf('target', target, field),
        changedOnSource,
        changedOnTarget,
        clash: changedOnSource && changedOnTarget && s !== t,
      };
    });
}

/** False once a person or handler chose (`took-…`) or a newer task superseded it: `resolve` refuses those. */
export function isResolvable(c: StagingConflict): boolean {
  return !c.outcome.startsWith('took-') && c.outcome !== 'superseded';
}

/** True when a merge has all three versions to work with (`resolve(id, 'merged')` refuses otherwise). */
export function isMergeable(c: StagingConflict): boolean {
  return c.base !== null && c.source !== null && c.target !== null;
}
