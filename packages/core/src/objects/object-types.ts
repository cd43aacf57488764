// Which of the DataSource's entities are synchronized object types, and how to reach their identity and references.
import type { DataSource, EntityMetadata, RelationMetadata } from 'typeorm';
import { syncObjectOptionsOf, type SyncObjectOptions } from './sync-object';

/** A synchronized object type as the DataSource knows it. */
export interface ObjectTypeInfo {
  readonly type: string;
  readonly options: SyncObjectOptions;
  readonly metadata: EntityMetadata;
  /** Owning many-to-one / one-to-one relations to other synchronized types: they travel as references. */
  readonly references: readonly ObjectRelation[];
  /** Owning many-to-many relations to other synchronized types: they travel as lists of references. */
  readonly links: readonly ObjectRelation[];
}

/** A relation of a synchronized type to another, and that type's name. */
export interface ObjectRelation {
  readonly relation: RelationMetadata;
  readonly targetType: string;
}

/** Reads `@SyncObject` entities from the DataSource (the kernel binds one instance per node). */
export class ObjectTypes {
  private readonly byType = new Map<string, ObjectTypeInfo>();
  private readonly byTarget = new Map<Function | string, ObjectTypeInfo>();
  private readonly byJunction = new Map<EntityMetadata, { info: ObjectTypeInfo; link: ObjectRelation }>();

  constructor(dataSource: DataSource) {
    const synced = dataSource.entityMetadatas.filter((m) => syncObjectOptionsOf(m.target));
    for (const metadata of synced) {
      const options = syncObjectOptionsOf(metadata.target)!;
      if (!metadata.findColumnWithPropertyName(options.identity)) {
        throw new Error(
          `@SyncObject on ${metadata.name}: identity '${options.identity}' is not a column of the entity; ` +
            'name the property that holds its GUID or code name.',
        );
      }
      const references = [...metadata.manyToOneRelations, ...metadata.oneToOneRelations]
        .filter((r) => r.isOwning && syncObjectOptionsOf(r.inverseEntityMetadata.target))
        .map((relation) => ({
          relation,
          targetType: syncObjectOptionsOf(relation.inverseEntityMetadata.target)!.type,
        }));
      const links = metadata.manyToManyRelations
        .filter((r) => r.isOwning && syncObjectOptionsOf(r.inverseEntityMetadata.target))
        .map((relation) => ({
          relation,
          targetType: syncObjectOptionsOf(relation.inverseEntityMetadata.target)!.type,
        }));
      const info: ObjectTypeInfo = { type: options.type, options, metadata, references, links };
      this.byType.set(options.type, info);
      this.byTarget.set(metadata.target, info);
      for (const link of links) this.byJunction.set(link.relation.junctionEntityMetadata!, { info, link });
    }
  }

  /** Every synchronized type name. */
  get types(): string[] {
    return [...this.byType.keys()];
  }

  /** The type named `type`, or undefined. */
  find(type: string): ObjectTypeInfo | undefined {
    return this.byType.get(type);
  }

  /** The synchronized type owning a many-to-many join table, and the relation, or undefined. */
  ofJunction(metadata: EntityMetadata): { info: ObjectTypeInfo; link: ObjectRelation } | undefined {
    return this.byJunction.get(metadata);
  }

  /** The type of an entity class (or instance), or undefined when it is not synchronized. */
  ofTarget(target: Function | string | object): ObjectTypeInfo | undefined {
    const key = typeof target === 'object' ? (target as object).constructor : target;
    return this.byTarget.get(key as Function);
  }
}
