// Applies a task's object to the host: create/update/delete by identity, references translated to local ids.
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { runInChangeScope } from './change-scope';
import type { ChangeOrigin, ObjectSnapshot, TaskType } from './object-change';
import { ObjectApplyError } from './object-apply-error';
import { tableOf } from './object-rows';
import { ObjectSerializer } from './object-serializer';
import { PreparedInserts } from './prepared-insert';
import type { ObjectTypeInfo, ObjectTypes } from './object-types';

/** Applies a host-defined task type on the target (e.g. `publish`). Runs in the task's transaction. */
export type TaskTypeHandler = (snapshot: ObjectSnapshot, manager: EntityManager) => Promise<void>;

/**
 * What applying a task does to the object as this node holds it: `apply` the task's data, apply other `data`
 * instead (a merge, a resolution), or `skip` (leave the object as it is).
 */
export type ApplyDecision = 'apply' | 'skip' | { readonly data: Readonly<Record<string, unknown>> };

/**
 * Decides, inside the task's transaction, from the object as this node holds it now (`current`, undefined when
 * there is none), what applying a create, update or delete does. Conflict detection is one; a guard that throws
 * aborts the task as any apply error does. Host-defined task types are not guarded.
 */
export type ApplyGuard = (current: ObjectSnapshot | undefined) => Promise<ApplyDecision>;

/** What to apply. */
export interface ObjectApplication {
  readonly taskType: TaskType;
  readonly snapshot: ObjectSnapshot;
  /** Recorded on the changes it makes, so listeners can stop loops and echoes. */
  readonly origin?: ChangeOrigin;
  readonly user?: string;
}

const NUMERIC = /int|float|double|real|decimal|numeric|number/i;
const TEXT = /char|text|uuid|clob|string/i;
const TEMPORAL = /date|time/i;

/** Applies snapshots to entities through TypeORM, so the host's own subscribers and constraints still run. */
export class ObjectApplier {
  private readonly handlers = new Map<string, TaskTypeHandler>();
  private readonly keyLookups = new Map<string, string>();
  /** Creates of entities no host code hooks into, as a statement built once (see `PreparedInserts`). */
  private readonly inserts = new PreparedInserts();

  constructor(
    private readonly types: ObjectTypes,
    private readonly serializer = new ObjectSerializer(),
  ) {}

  /** Registers the handler of a host-defined task type. */
  registerTaskType(taskType: string, handler: TaskTypeHandler): void {
    if (['create', 'update', 'delete'].includes(taskType))
      throw new Error(`'${taskType}' is built in and cannot be replaced`);
    this.handlers.set(taskType, handler);
  }

  /** Task types this node can apply. */
  get taskTypes(): string[] {
    return ['create', 'update', 'delete', ...this.handlers.keys()];
  }

  /**
   * Applies one task in `manager`'s transaction. Throws `ObjectApplyError` (nothing written by this call is
   * kept when the caller rolls back) for an unknown type, property or task type, a wrong value or a reference
   * that does not resolve on this node. A `guard` sees the object as this node holds it first and decides.
   */
  async apply(manager: EntityManager, application: ObjectApplication, guard?: ApplyGuard): Promise<void> {
    const { taskType } = application;
    let { snapshot } = application;
    const info = this.types.find(snapshot.objectType);
    if (!info) {
      throw new ObjectApplyError(
        'UNKNOWN_OBJECT_TYPE',
        `Object type '${snapshot.objectType}' is not synchronized on this node (known: ${this.types.types.join(', ') || 'none'}).`,
      );
    }
    await runInChangeScope({ origin: application.origin, user: application.user }, async () => {
      const repository = manager.getRepository(info.metadata.target);
      const builtIn = taskType === 'create' || taskType === 'update' || taskType === 'delete';
      const guarded = guard !== undefined && builtIn;
      // Most tasks on a receiver are creates: a prepared lookup of the key says so without building a query, and
      // only an object that exists is loaded as an entity (for the merge and for the host's subscribers).
      const key = await this.primaryKeyOf(manager, info, snapshot.objectGuid);
      // Soft-deleted objects count: a soft delete travels as an update of the delete date.
      // A guard decides on what it read: on PostgreSQL the row is locked, so no edit commits between the read and
      // the write (SQLite's one writer already excludes that).
      const lock = guarded && manager.connection.options.type === 'postgres';
      const existing = key
        ? await repository.findOne({
            where: key,
            withDeleted: true,
            ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
          })
        : null;
      if (guarded) {
        // The guard compares the whole object, references too; they are loaded on a copy of their own, since
        // a loaded relation beside its foreign-key column changes what saving the entity writes.
        const whole =
          existing && info.references.length > 0
            ? await repository.findOne({
                where: key!,
                withDeleted: true,
                relations: Object.fromEntries(info.references.map((r) => [r.relation.propertyName, true])),
              })
            : existing;
        const decision = await guard(
          whole ? await this.serializer.snapshot(info, whole, manager) : undefined,
        );
        if (decision === 'skip') return;
        if (decision !== 'apply') snapshot = { ...snapshot, data: { ...decision.data } };
      }
      if (taskType === 'delete') {
        if (existing) await repository.remove(existing);
        return;
      }
      if (!builtIn) {
        const handler = this.handlers.get(taskType);
        if (!handler) {
          throw new ObjectApplyError(
            'UNKNOWN_TASK_TYPE',
            `Task type '${taskType}' has no handler on this node (known: ${this.taskTypes.join(', ')}).`,
          );
        }
        await handler(snapshot, manager);
        return;
      }
      const values = await this.values(info, snapshot, manager);
      if (existing) {
        await repository.save(repository.merge(existing, values));
      } else if (info.links.some((l) => values[l.relation.propertyName] !== undefined)) {
        await repository.save(repository.create(values)); // only save() writes join-table rows
      } else if (!(await this.inserts.insert(manager, info, values))) {
        // A plain INSERT (subscribers still fire): save() would diff and reload a row we know is new (measured
        // on the staging receiver, where most tasks are creates).
        await repository.insert(repository.create(values));
      }
    });
  }

  private async values(
    info: ObjectTypeInfo,
    snapshot: ObjectSnapshot,
    manager: EntityManager,
  ): Promise<ObjectLiteral> {
    const values: ObjectLiteral = {
      [info.options.identity]: this.convert(
        info.metadata.findColumnWithPropertyName(info.options.identity)!,
        snapshot.objectGuid,
        info,
      ),
    };
    const references = new Map(info.references.map((r) => [r.relation.propertyName, r]));
    const links = new Map(info.links.map((r) => [r.relation.propertyName, r]));
    for (const [property, value] of Object.entries(snapshot.data ?? {})) {
      if (property === info.options.identity) continue;
      const link = links.get(property);
      if (link) {
        if (!Array.isArray(value)) {
          throw new ObjectApplyError(
            'INVALID_VALUE',
            `'${property}' must be a list of references { $ref: { type: '${link.targetType}', identity } }.`,
          );
        }
        const resolved = [];
        for (const item of value) {
          if (item === null) {
            throw new ObjectApplyError('INVALID_VALUE', `'${property}' must not contain null.`);
          }
          resolved.push(
            await this.resolve(
              link.relation.inverseEntityMetadata.target,
              link.targetType,
              item,
              property,
              manager,
            ),
          );
        }
        values[property] = resolved;
        continue;
      }
      const reference = references.get(property);
      if (reference) {
        values[property] = await this.resolve(
          reference.relation.inverseEntityMetadata.target,
          reference.targetType,
          value,
          property,
          manager,
        );
        continue;
      }
      const column = info.metadata.findColumnWithPropertyName(property);
      if (!column || (column.isPrimary && column.isGenerated)) {
        throw new ObjectApplyError(
          'UNKNOWN_PROPERTY',
          `Object type '${info.type}' has no property '${property}' on this node.`,
        );
      }
      values[property] = this.convert(column, value, info);
    }
    return values;
  }

  private async resolve(
    target: Function | string,
    type: string,
    value: unknown,
    property: string,
    manager: EntityManager,
  ) {
    if (value === null) return null;
    const ref = (value as { $ref?: { type?: unknown; identity?: unknown } })?.$ref;
    if (!ref || ref.type !== type || typeof ref.identity !== 'string') {
      throw new ObjectApplyError(
        'INVALID_VALUE',
        `'${property}' must be a reference { $ref: { type: '${type}', identity } } or null.`,
      );
    }
    const info = this.types.find(type)!;
    const found = await this.primaryKeyOf(manager, info, ref.identity);
    if (!found) {
      throw new ObjectApplyError(
        'UNRESOLVED_REFERENCE',
        `'${property}' references ${type} '${ref.identity}', which does not exist on this node; synchronize it first.`,
      );
    }
    const primary = info.metadata.primaryColumns[0].propertyName;
    return { [primary]: found[primary] };
  }

  /** The primary key (by property name) of the object whose identity is `identity`, or undefined when none. */
  private async primaryKeyOf(
    manager: EntityManager,
    info: ObjectTypeInfo,
    identity: string,
  ): Promise<ObjectLiteral | undefined> {
    const [row] = (await manager.query(this.keyLookup(manager, info), [identity])) as ObjectLiteral[];
    return row;
  }

  /** `SELECT <primary columns> FROM <table> WHERE <identity> = ? LIMIT 1`, built once per type. */
  private keyLookup(manager: EntityManager, info: ObjectTypeInfo): string {
    const driver = manager.connection.driver;
    // One applier per node, so one engine: the type names the statement.
    let sql = this.keyLookups.get(info.type);
    if (!sql) {
      const { metadata } = info;
      const columns = metadata.primaryColumns
        .map((c) => `${driver.escape(c.databaseName)} AS ${driver.escape(c.propertyName)}`)
        .join(', ');
      const table = tableOf(manager, metadata);
      const identity = driver.escape(
        metadata.findColumnWithPropertyName(info.options.identity)!.databaseName,
      );
      sql = `SELECT ${columns} FROM ${table} WHERE ${identity} = ${driver.createParameter('identity', 0)} LIMIT 1`;
      this.keyLookups.set(info.type, sql);
    }
    return sql;
  }

  private convert(column: ColumnMetadata, value: unknown, info: ObjectTypeInfo): unknown {
    if (value === null) {
      if (!column.isNullable)
        throw new ObjectApplyError(
          'INVALID_VALUE',
          `'${column.propertyName}' of ${info.type} cannot be null.`,
        );
      return null;
    }
    const type =
      typeof column.type === 'string' ? column.type : ((column.type as { name?: string }).name ?? '');
    const fail = (expected: string) =>
      new ObjectApplyError(
        'INVALID_VALUE',
        `'${column.propertyName}' of ${info.type} must be ${expected}, got ${preview(value)}.`,
      );
    if (/bool/i.test(type)) {
      if (typeof value !== 'boolean') throw fail('a boolean');
    } else if (TEMPORAL.test(type)) {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw fail('an ISO date string');
      return new Date(value);
    } else if (NUMERIC.test(type)) {
      if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)))
        throw fail('a number');
    } else if (TEXT.test(type)) {
      if (typeof value !== 'string') throw fail('a string');
    }
    return value;
  }
}

/** A value as an error message shows it: scalars as JSON (80 characters at most), objects by their kind only. */
function preview(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  return (JSON.stringify(value) ?? String(value)).slice(0, 80);
}
