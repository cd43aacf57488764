// `@SyncObject`: marks a host's TypeORM entity as content that syncbus stages and integrates.
import 'reflect-metadata';

/** How an entity takes part in synchronization. */
export interface SyncObjectOptions {
  /** The object type name shared by every server and connector, e.g. `cms.article`. */
  readonly type: string;
  /** Property that identifies an object across servers (a GUID or a code name); local ids never travel. */
  readonly identity: string;
  /** Property shown as the task title (defaults to the identity). */
  readonly title?: string;
}

const syncObjectKey = Symbol.for('syncbus:sync-object');

/**
 * Marks a TypeORM entity as a synchronized object type. Inserts, updates and removals made through TypeORM
 * then become tasks in the same transaction; references to other synchronized entities travel as identities.
 */
export function SyncObject(options: SyncObjectOptions): ClassDecorator {
  return (target) => Reflect.defineMetadata(syncObjectKey, options, target);
}

/** The options of `@SyncObject` on a class, or undefined. */
export function syncObjectOptionsOf(target: unknown): SyncObjectOptions | undefined {
  return typeof target === 'function' ? Reflect.getMetadata(syncObjectKey, target) : undefined;
}
