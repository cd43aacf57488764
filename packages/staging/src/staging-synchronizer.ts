// Complete synchronization: logs a fresh update task of every object of the chosen types for one server.
import { inject, injectable, ObjectTypes, Storage, type ObjectTypeInfo } from '@syncbus/core';
import { ObjectSerializer } from '@syncbus/core/internal';
import { MoreThan } from 'typeorm';
import { ServerInfoProvider } from './server-info-provider';
import { ServerDisabledError, StagingValidationError, UnknownServerError } from './staging-errors';
import { StagingTaskLogger } from './staging-task-logger';

/** How many objects are read and logged per transaction. */
const PAGE_SIZE = 500;

/** What `synchronizeAll` logged, per object type. */
export interface CompleteSynchronizationSummary {
  readonly server: string;
  readonly tasks: number;
  readonly byType: Record<string, number>;
}

/** Brings a new target up to date (Kentico's "synchronize current subtree" / object type synchronization). */
@injectable()
export class StagingSynchronizer {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(ObjectTypes) private readonly types: ObjectTypes,
    @inject(ObjectSerializer) private readonly serializer: ObjectSerializer,
    @inject(StagingTaskLogger) private readonly logger: StagingTaskLogger,
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
  ) {}

  /**
   * Logs an update task of every object of `objectTypes` (default: every staged type) for `server` only, types
   * that others reference first, in pages of 500 objects per transaction so any number of objects fits in memory.
   * `logTask` events fire as for any task; excluded types log nothing.
   */
  async synchronizeAll(
    server: string | number,
    objectTypes?: readonly string[],
  ): Promise<CompleteSynchronizationSummary> {
    const target = await this.servers.getServer(server);
    if (!target) throw new UnknownServerError(server);
    if (!target.enabled) throw new ServerDisabledError(target.name);
    const unknown = (objectTypes ?? []).filter((t) => !this.types.find(t));
    if (unknown.length > 0) {
      throw new StagingValidationError(
        'object types',
        unknown.map((t) => ({
          path: t,
          message: `not a staged object type (known: ${this.types.types.join(', ')})`,
        })),
      );
    }
    const summary = { server: target.name, tasks: 0, byType: {} as Record<string, number> };
    for (const info of this.referencedFirst(objectTypes ?? this.types.types)) {
      const logged = await this.logType(info, target.id);
      summary.byType[info.type] = logged;
      summary.tasks += logged;
    }
    return summary;
  }

  private async logType(info: ObjectTypeInfo, serverId: number): Promise<number> {
    const primary = info.metadata.primaryColumns[0].propertyName;
    const relations = Object.fromEntries(info.references.map((r) => [r.relation.propertyName, true]));
    let after: unknown;
    let logged = 0;
    for (;;) {
      const afterCommit: (() => void)[] = [];
      const page = await this.storage.transaction(async (manager) => {
        const objects = await manager.getRepository(info.metadata.target).find({
          where: after === undefined ? {} : { [primary]: MoreThan(after) },
          order: { [primary]: 'ASC' },
          take: PAGE_SIZE,
          relations,
        });
        for (const object of objects) {
          const snapshot = await this.serializer.snapshot(info, object, manager);
          const task = await this.logger.logTask(
            { taskType: 'update', snapshot },
            { manager, afterCommit: (fn) => afterCommit.push(fn) },
            { serverIds: [serverId] },
          );
          if (task) logged++;
        }
        return objects;
      });
      for (const fn of afterCommit) fn();
      if (page.length < PAGE_SIZE) return logged;
      after = page[page.length - 1][primary];
    }
  }

  /** The types in an order where each comes after the staged types it references. */
  private referencedFirst(names: readonly string[]): ObjectTypeInfo[] {
    const chosen = new Set(names);
    const ordered: ObjectTypeInfo[] = [];
    const visited = new Set<string>();
    const visit = (name: string) => {
      if (visited.has(name)) return;
      visited.add(name);
      const info = this.types.find(name)!;
      for (const reference of info.references)
        if (chosen.has(reference.targetType)) visit(reference.targetType);
      ordered.push(info);
    };
    for (const name of names) visit(name);
    return ordered;
  }
}
