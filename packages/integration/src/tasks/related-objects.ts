// The "snapshot" data type: the objects a changed object references, each snapshotted in the change's transaction.
import { isObjectReference } from '../connectors/reference-translation';
import type { ObjectSerializer } from '@syncbus/core/internal';
import type { ObjectSnapshot, ObjectTypes } from '@syncbus/core';
import type { EntityManager } from 'typeorm';

/** Most related objects one task carries; a bigger graph is cut here (the connector can look the rest up). */
export const MAX_RELATED_OBJECTS = 100;

/**
 * Snapshots of every object `snapshot` references, transitively, each once, in `manager`'s transaction.
 * A reference that no longer resolves is left out.
 */
export async function collectRelatedObjects(
  snapshot: ObjectSnapshot,
  manager: EntityManager,
  types: ObjectTypes,
  serializer: ObjectSerializer,
): Promise<ObjectSnapshot[]> {
  const related: ObjectSnapshot[] = [];
  const seen = new Set([`${snapshot.objectType}:${snapshot.objectGuid}`]);
  const pending = [snapshot];
  while (pending.length > 0 && related.length < MAX_RELATED_OBJECTS) {
    const current = pending.shift()!;
    for (const value of Object.values(current.data)) {
      if (!isObjectReference(value)) continue;
      const { type, identity } = value.$ref;
      const key = `${type}:${identity}`;
      if (seen.has(key) || related.length >= MAX_RELATED_OBJECTS) continue;
      seen.add(key);
      const info = types.find(type);
      if (!info) continue;
      const entity = await manager
        .getRepository(info.metadata.target)
        .findOne({ where: { [info.options.identity]: identity } });
      if (!entity) continue;
      const child = await serializer.snapshot(info, entity, manager);
      related.push(child);
      pending.push(child);
    }
  }
  return related;
}
