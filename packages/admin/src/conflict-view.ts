// How the admin API shows a conflict record: its summary for the list, and for one conflict its three versions
// parsed with the fields that differ, compared as `syncbus conflicts show` compares them.
import { canonicalJson } from '@syncbus/core';
import type { StagingConflict } from '@syncbus/staging';
import type { z } from 'zod';
import type { ConflictDetail, ConflictField, ConflictSummary } from './conflict-schemas';

type Version = Record<string, unknown> | null;

/** A conflict as the list shows it (no versions, no wire task). */
export function conflictSummary(c: StagingConflict): z.infer<typeof ConflictSummary> {
  return {
    id: c.id,
    sourceServer: c.sourceServer,
    taskGuid: c.taskGuid,
    taskType: c.taskType,
    objectType: c.objectType,
    objectGuid: c.objectGuid,
    title: c.title,
    kind: c.kind,
    policy: c.policy,
    status: c.status,
    outcome: c.outcome,
    createdAt: c.createdAt,
    resolvedAt: c.resolvedAt,
    resolvedBy: c.resolvedBy,
  };
}

/** One conflict with its versions parsed and the fields that differ between them. */
export function conflictDetail(c: StagingConflict): z.infer<typeof ConflictDetail> {
  const versions = { base: parse(c.base), source: parse(c.source), target: parse(c.target) };
  return {
    ...conflictSummary(c),
    versions,
    fields: differingFields(versions.base, versions.source, versions.target),
    // As StagingConflicts.resolve decides: refused once a person or handler chose, or a newer task superseded it.
    resolvable: !c.outcome.startsWith('took-') && c.outcome !== 'superseded',
    mergeable: versions.base !== null && versions.source !== null && versions.target !== null,
  };
}

/**
 * The fields whose values are not the same in all three versions, in field order. A side "changed" a field when
 * its value is not the base's; with no base there is nothing to tell an edit from, so each side counts as
 * changed where the two sides differ. A missing version (a delete, an object not there) differs in every field.
 */
export function differingFields(
  base: Version,
  source: Version,
  target: Version,
): z.infer<typeof ConflictField>[] {
  const keys = [
    ...new Set([...Object.keys(base ?? {}), ...Object.keys(source ?? {}), ...Object.keys(target ?? {})]),
  ].sort();
  // undefined for a missing version, so it differs from any value; a missing field reads as null.
  const text = (v: Version, k: string) => (v === null ? undefined : canonicalJson(v[k] ?? null));
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

/** `{ [name]: value }` when the version has the field, else nothing (the key stays absent in the answer). */
function valueOf(name: 'base' | 'source' | 'target', version: Version, field: string) {
  return version !== null && field in version ? { [name]: version[field] } : {};
}

function parse(json: string | null): Version {
  return json === null ? null : (JSON.parse(json) as Record<string, unknown>);
}
