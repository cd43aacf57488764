// Conflict detection on the receiver: per request, the guard each task is applied with, and what it decided.
import {
  canonicalData,
  canonicalJson,
  type ApplyDecision,
  type ApplyGuard,
  type SqlExecutor,
} from '@syncbus/core/internal';
import {
  inject,
  injectable,
  Logger,
  ObjectTypes,
  SyncbusError,
  type ObjectSnapshot,
  type ObjectTypeInfo,
} from '@syncbus/core';
import type { ConflictKind, ConflictOutcome } from '../entities/staging-conflict.entity';
import { StagingEventEmitters } from '../staging-event-emitters';
import type { ConflictResolution, StagingConflictEventArgs } from '../staging-events';
import { StagingSettings, type ConflictPolicy } from '../staging-settings';
import type { StagingTaskData } from '../staging-task-data';
import {
  StagingConflictStore,
  objectKey,
  type BaseWrite,
  type ConflictWrite,
} from './staging-conflict-store';
import {
  baseFields,
  detectConflict,
  detects,
  mergeFields,
  nextBase,
  type Base,
  type Fields,
} from './three-way';

/** Thrown by a guard whose policy holds the task: the receiver rolls the task back and records the conflict. */
export class ConflictHeld extends SyncbusError {
  constructor(
    readonly conflict: ConflictWrite,
    readonly args: StagingConflictEventArgs,
  ) {
    super('CONFLICT', `${conflict.objectType} '${conflict.objectGuid}' was changed on the target`);
  }
}

/** What detection decided for a task that met a conflict and was not held: its answer to the source. */
export interface ConflictAnswer {
  readonly status: 'applied' | 'skipped';
  readonly message: string;
}

/** The receiver's conflict detection (`staging.receiver.conflicts`); one `ConflictSession` per request. */
@injectable()
export class ConflictDetection {
  constructor(
    @inject(StagingConflictStore) private readonly store: StagingConflictStore,
    @inject(StagingSettings) private readonly settings: StagingSettings,
    @inject(ObjectTypes) private readonly types: ObjectTypes,
    @inject(StagingEventEmitters) private readonly events: StagingEventEmitters,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /**
   * True when `server` also stages to this node (it is one of `staging.receiver.sources`): the two stage to
   * each other, so what this node delivers to it is their common base too.
   */
  stagesBack(server: string): boolean {
    const { conflicts, sources } = this.settings.receiver;
    return conflicts.detect && sources.some((s) => s.server === server);
  }

  /**
   * Records, in the settle's transaction, what `server` now holds of the objects of tasks it applied, when it
   * stages back to this node: the base its own tasks of those objects are compared with here. Without it a node
   * that staged an object to a peer could not tell the peer's later task from an edit made on both sides.
   */
  async recordDelivered(sql: SqlExecutor, server: string, tasks: readonly StagingTaskData[]): Promise<void> {
    const known = tasks.filter((t) => this.types.find(t.objectType) && detects(t.taskType));
    if (known.length === 0) return;
    const bases: Map<string, Base> = await this.store.bases(sql, server, known);
    const writes: BaseWrite[] = known.map((task) => {
      const key = objectKey(task);
      const data = nextBase(bases.get(key), task.taskType === 'delete' ? null : task.data);
      if (data === null) bases.delete(key);
      else bases.set(key, data);
      return { objectType: task.objectType, objectGuid: task.objectGuid, data, taskGuid: task.guid };
    });
    await this.store.writeBases(sql, server, writes);
  }

  /** The policy of an object type. */
  policyOf(objectType: string): ConflictPolicy {
    const { conflicts } = this.settings.receiver;
    return conflicts.objectTypes[objectType] ?? conflicts.policy;
  }

  /**
   * Starts detection for a request's tasks in its transaction (one read of their bases), or undefined when
   * detection is off.
   */
  async begin(
    sql: SqlExecutor,
    sourceServer: string,
    tasks: readonly StagingTaskData[],
  ): Promise<ConflictSession | undefined> {
    if (!this.settings.receiver.conflicts.detect) return undefined;
    // A create needs its object's base only when the object exists here already (rare: created on both sides, or
    // sent again after the ledger forgot it): its guard reads it then, so the common request of creates reads none.
    const read = tasks.filter((t) => t.taskType !== 'create');
    const { bases: stored, anyOpen } = await this.store.requestStart(sql, sourceServer, read);
    const bases = new Map<string, Base | null>(read.map((t) => [objectKey(t), null]));
    for (const [key, data] of stored) bases.set(key, data);
    return new ConflictSession(
      this,
      this.store,
      this.types,
      this.events,
      this.logger,
      sourceServer,
      sql,
      bases,
      // Only a task logged by a resolution carries an expected base: the check costs nothing otherwise.
      tasks.some((t) => t.base !== undefined) && (await this.store.stagesTo(sql, sourceServer)),
      anyOpen,
    );
  }
}

/** Detection for one request (one attempt of it: a retried request starts a new session). */
export class ConflictSession {
  private baseWrites: BaseWrite[] = [];
  /** Conflicts handled since the last flush, with the args their `conflict.after` fires with. */
  private pending: { write: ConflictWrite; args: StagingConflictEventArgs }[] = [];
  /** Conflicts written in this request's transaction, for `conflict.after` once it commits. */
  private written: StagingConflictEventArgs[] = [];
  private readonly answers = new Map<string, ConflictAnswer>();
  /** Objects whose tasks applied without a conflict since the last flush: their open conflicts are superseded. */
  private cleanObjects: StagingTaskData[] = [];

  constructor(
    private readonly detection: ConflictDetection,
    private readonly store: StagingConflictStore,
    private readonly types: ObjectTypes,
    private readonly events: StagingEventEmitters,
    private readonly logger: Logger,
    private readonly sourceServer: string,
    /** The request's transaction (bases a create's guard reads late are read in it). */
    private readonly sql: SqlExecutor,
    /**
     * Bases by object key, kept current as the request's tasks apply: null where the object has none, absent
     * where it was not read (a create's object, until the create finds it here).
     */
    private readonly bases: Map<string, Base | null>,
    /** This node stages back to the source, a peer (its tasks may say what they expect here). */
    private readonly peer: boolean,
    /**
     * A conflict from this source was open when the request began. Without one, a clean task has nothing to
     * supersede: no conflict of its object can open meanwhile, since the source sends no object in two requests at
     * once (its leases) and a conflict this request holds holds back its object's later tasks.
     */
    private readonly anyOpen: boolean,
  ) {}

  /** The guard `task` is applied with (undefined for a type or task type that detection does not cover). */
  guard(task: StagingTaskData): ApplyGuard | undefined {
    const info = this.types.find(task.objectType);
    if (!info || !detects(task.taskType)) return undefined;
    return (current) => {
      const key = objectKey(task);
      // A create that finds its object here: its base was not read with the request's.
      if (current && !this.bases.has(key))
        return this.readBase(task, key).then(() => this.decide(info, task, key, current));
      return this.decide(info, task, key, current);
    };
  }

  /** Reads the base of one object into `bases`. */
  private async readBase(task: StagingTaskData, key: string): Promise<void> {
    const stored = (await this.store.bases(this.sql, this.sourceServer, [task])).get(key);
    this.bases.set(key, stored ?? null);
  }

  /**
   * What `task` does to its object, as this node holds it (`current`): without a conflict, synchronously (no
   * await per task on a request's common path).
   */
  private decide(
    info: ObjectTypeInfo,
    task: StagingTaskData,
    key: string,
    current: ObjectSnapshot | undefined,
  ): Promise<ApplyDecision> {
    // A task sent after a conflict was resolved on its source says what the source expects here; only a peer
    // this node stages back to sends one (from any other source it is not taken: it would bypass detection).
    const expected = this.peer ? task.base : undefined;
    const previous = expected === null ? null : (expected ?? this.bases.get(key) ?? null);
    // Nothing here to conflict with (the common create): no canonical forms to compute.
    if (!current && (task.taskType !== 'update' || !previous)) return this.clean(task, key, previous);
    const base: Fields | undefined =
      previous === null ? undefined : canonicalData(info, baseFields(previous));
    const source: Fields = task.taskType === 'delete' ? null : canonicalData(info, task.data);
    const target: Fields = current ? canonicalData(info, current.data) : null;
    const kind = detectConflict(task.taskType, base, source, target);
    if (!kind) return this.clean(task, key, previous);
    return this.conflicted(task, key, previous, { kind, base, source, target });
  }

  /** A conflict met: a `conflict` handler's resolution, else the object type's policy, decides. */
  private async conflicted(
    task: StagingTaskData,
    key: string,
    previous: Base | null,
    {
      kind,
      base,
      source,
      target,
    }: { kind: ConflictKind; base: Fields | undefined; source: Fields; target: Fields },
  ): Promise<ApplyDecision> {
    const policy = this.detection.policyOf(task.objectType);
    const args: StagingConflictEventArgs = {
      sourceServer: this.sourceServer,
      task,
      kind,
      base: base ?? null,
      source,
      target,
    };
    const { before } = this.events.conflict.event;
    const raised = before.isEmpty ? args : await before.raise(args);
    const record = (status: 'open' | 'resolved', outcome: ConflictOutcome, resolvedBy: string | null) => {
      const write: ConflictWrite = {
        sourceServer: this.sourceServer,
        taskGuid: task.guid,
        taskType: task.taskType,
        objectType: task.objectType,
        objectGuid: task.objectGuid,
        title: task.title,
        kind,
        policy,
        status,
        outcome,
        base: base ? canonicalJson(base) : null,
        source: source === null ? null : canonicalJson(source),
        target: target === null ? null : canonicalJson(target),
        task: JSON.stringify(task),
        resolvedBy,
      };
      return write;
    };
    const handled = (
      outcome: ConflictOutcome,
      by: string,
      status: ConflictAnswer['status'],
      message: string,
    ) => {
      this.pending.push({ write: record('resolved', outcome, by), args: raised });
      this.answers.set(task.guid, { status, message: `CONFLICT_${outcome.toUpperCase()}: ${message}` });
      this.setBase(task, key, previous);
    };
    const what = describe(kind, task);
    if (raised.resolution !== undefined)
      return this.byHandler(raised.resolution, what, handled, task, source);
    if (policy === 'overwrite') {
      handled(
        'overwritten',
        'policy',
        'applied',
        `${what}; applied, and the target's state kept in its conflict record`,
      );
      return 'apply';
    }
    if (policy === 'keep-target') {
      handled('kept-target', 'policy', 'skipped', `${what}; the target kept its edit (policy keep-target)`);
      return 'skip';
    }
    if (policy === 'merge' && kind === 'changed' && base && source && target) {
      const merge = mergeFields(base, source, target);
      if (merge.clashes.length === 0) {
        handled('merged', 'policy', 'applied', `${what}; merged field by field`);
        return { data: { ...task.data, ...merge.fields } };
      }
    }
    throw new ConflictHeld(record('open', 'held', null), raised);
  }

  /** A `conflict` handler's resolution, recorded as the handler's. */
  private byHandler(
    resolution: ConflictResolution,
    what: string,
    handled: (
      outcome: ConflictOutcome,
      by: string,
      status: ConflictAnswer['status'],
      message: string,
    ) => void,
    task: StagingTaskData,
    source: Fields,
  ): ReturnType<ApplyGuard> {
    if (resolution === 'source') {
      handled('took-source', 'handler', 'applied', `${what}; a conflict handler took the source's version`);
      return Promise.resolve('apply');
    }
    if (resolution === 'target') {
      handled('took-target', 'handler', 'skipped', `${what}; a conflict handler kept the target's version`);
      return Promise.resolve('skip');
    }
    if (task.taskType === 'delete' || source === null) {
      throw new SyncbusError('CONFLICT_RESOLUTION_INVALID', 'A delete cannot be resolved with merged data.');
    }
    handled('took-merged', 'handler', 'applied', `${what}; a conflict handler merged it`);
    return Promise.resolve({ data: { ...task.data, ...resolution.data } });
  }

  /** What the task's conflict made of its answer, when it met one and was not held. */
  answerOf(guid: string): ConflictAnswer | undefined {
    return this.answers.get(guid);
  }

  /** Writes what the tasks applied since the last flush decided (bases, conflict records), in `sql`'s transaction. */
  async flush(sql: SqlExecutor): Promise<void> {
    await this.store.writeBases(sql, this.sourceServer, this.baseWrites);
    if (this.anyOpen) await this.store.supersedeOpen(sql, this.sourceServer, this.cleanObjects);
    for (const { write, args } of this.pending) {
      const id = await this.store.writeConflict(sql, write);
      this.written.push({ ...args, conflictId: id, outcome: write.outcome });
      this.logConflict(write, id);
    }
    this.discard();
  }

  /** Forgets what the tasks since the last flush decided (their savepoint was rolled back). */
  discard(): void {
    this.baseWrites = [];
    this.pending = [];
    this.cleanObjects = [];
  }

  /** Records a held conflict in `sql`'s transaction (after the task's savepoint was rolled back); its id. */
  async hold(sql: SqlExecutor, held: ConflictHeld): Promise<number> {
    this.discard();
    const id = await this.store.writeConflict(sql, held.conflict);
    this.written.push({ ...held.args, conflictId: id, outcome: 'held' });
    this.logConflict(held.conflict, id);
    return id;
  }

  /** One warning per conflict written: an operator's alert reads the same fields whatever the outcome. */
  private logConflict(write: ConflictWrite, id: number): void {
    this.logger.warn(
      {
        source: this.sourceServer,
        task: write.taskGuid,
        object: objectKey(write),
        conflict: id,
        outcome: write.outcome,
      },
      write.outcome === 'held'
        ? 'a staging task met an object changed on this node; it is held until a person resolves it'
        : 'a staging task met an object changed on this node',
    );
  }

  /** Fires `conflict.after` for the conflicts written, once their transaction has committed. */
  emitCommitted(): void {
    for (const args of this.written) this.events.conflict.emitAfter(args);
    this.written = [];
  }

  /** A task that met no conflict: its object's base moves on, and its open conflicts (if any) are superseded. */
  private clean(task: StagingTaskData, key: string, previous: Base | null): Promise<ApplyDecision> {
    this.setBase(task, key, previous);
    if (this.anyOpen) this.cleanObjects.push(task);
    return APPLY;
  }

  /** Records the base `task` leaves its object in, whatever its outcome: its fields over `previous`. */
  private setBase(task: StagingTaskData, key: string, previous: Base | null): void {
    const data = nextBase(previous, task.taskType === 'delete' ? null : task.data);
    this.baseWrites.push({
      objectType: task.objectType,
      objectGuid: task.objectGuid,
      data,
      taskGuid: task.guid,
    });
    this.bases.set(key, data);
  }
}

const APPLY: Promise<ApplyDecision> = Promise.resolve('apply');

/** One sentence for the source and the log: which object met what. */
function describe(kind: ConflictKind, task: StagingTaskData): string {
  const object = `${task.objectType} '${task.objectGuid}'`;
  if (kind === 'created-on-both') return `${object} was created on the target too, with other content`;
  if (kind === 'deleted-on-target')
    return `${object} was deleted on the target since the last synchronization`;
  return `${object} was changed on the target since the last synchronization`;
}
