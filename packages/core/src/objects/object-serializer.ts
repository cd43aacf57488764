// Turns a host entity into an ObjectSnapshot: its values by property, references to other objects by identity.
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { ObjectSnapshot } from './object-change';
import type { ObjectTypeInfo } from './object-types';
import { syncObjectOptionsOf } from './sync-object';

/** Serializes entities of synchronized types. */
export class ObjectSerializer {
  /**
   * A snapshot of `entity`. A referenced object is looked up (in `manager`'s transaction) only when the entity
   * holds its foreign key but not the loaded object.
   */
  async snapshot(
    info: ObjectTypeInfo,
    entity: ObjectLiteral,
    manager: EntityManager,
  ): Promise<ObjectSnapshot> {
    const { metadata, options } = info;
    const joinColumnNames = new Set(
      info.references.flatMap((r) => r.relation.joinColumns.map((c) => c.databaseName)),
    );
    const data: Record<string, unknown> = {};
    for (const column of metadata.columns) {
      if (
        (column.isPrimary && column.isGenerated) ||
        column.isVirtual ||
        joinColumnNames.has(column.databaseName)
      )
        continue;
      if (column.relationMetadata) continue;
      const value = column.getEntityValue(entity);
      if (value === undefined) continue;
      data[column.propertyName] = value instanceof Date ? value.toISOString() : value;
    }
    for (const { relation, targetType } of info.references) {
      const loaded = relation.getEntityValue(entity) as ObjectLiteral | null | undefined;
      const targetIdentity = syncObjectOptionsOf(relation.inverseEntityMetadata.target)?.identity;
      let identity: unknown = loaded && targetIdentity ? loaded[targetIdentity] : undefined;
      if (identity === undefined) {
        const foreignKey = relation.joinColumns[0]?.getEntityValue(entity);
        if (foreignKey === undefined) continue; // not part of this save: leave the reference as it is
        if (foreignKey !== null && targetIdentity) {
          const primary = relation.inverseEntityMetadata.primaryColumns[0];
          const row = await manager
            .createQueryBuilder(relation.inverseEntityMetadata.target, 'r')
            .select(`r.${targetIdentity}`, 'identity')
            .where(`r.${primary.propertyName} = :key`, { key: foreignKey })
            .getRawOne<{ identity: unknown }>();
          identity = row?.identity ?? null;
        } else identity = null;
      }
      data[relation.propertyName] =
        identity === null || identity === undefined
          ? null
          : { $ref: { type: targetType, identity: String(identity) } };
    }
    const primary = metadata.primaryColumns[0]?.getEntityValue(entity);
    // Links are read from the join table, so every snapshot carries the object's whole list as stored now.
    if (info.links.length > 0 && primary !== undefined && primary !== null) {
      for (const { relation, targetType } of info.links) {
        const identity = syncObjectOptionsOf(relation.inverseEntityMetadata.target)!.identity;
        const linked = await manager
          .createQueryBuilder()
          .relation(metadata.target, relation.propertyName)
          .of(entity)
          .loadMany<ObjectLiteral>();
        data[relation.propertyName] = linked
          .map((object) => String(object[identity]))
          .sort()
          .map((value) => ({ $ref: { type: targetType, identity: value } }));
      }
    }
    const guid = entity[options.identity];
    const title = entity[options.title ?? options.identity];
    return {
      objectType: info.type,
      objectGuid: String(guid),
      objectId: primary ?? null,
      title: title === undefined || title === null ? String(guid) : String(title),
      data,
    };
  }
}
