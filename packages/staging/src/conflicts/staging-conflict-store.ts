// Every statement of conflict detection: the objects' bases and the conflict records, as named operations.
import { inject, injectable, Storage } from '@syncbus/core';
import { withSqlRead, type SqlExecutor } from '@syncbus/core/internal';
import type { ConflictKind, ConflictOutcome, StagingConflict } from '../entities/staging-conflict.entity';

/** An object by its type and identity. */
export interface ObjectKey {
  readonly objectType: string;
  readonly objectGuid: string;
}

/** An object's base after a request: its staged fields, or null when the source deleted it. */
export interface BaseWrite extends ObjectKey {
  readonly data: Readonly<Record<string, unknown>> | null;
  readonly taskGuid: string;
}

/** A conflict as detection writes it. */
export interface ConflictWrite extends ObjectKey {
  readonly sourceServer: string;
  readonly taskGuid: string;
  readonly taskType: string;
  readonly title: string;
  readonly kind: ConflictKind;
  readonly policy: string;
  readonly status: 'open' | 'resolved';
  readonly outcome: ConflictOutcome;
  readonly base: string | null;
  readonly source: string | null;
  readonly target: string | null;
  readonly task: string;
  readonly resolvedBy: string | null;
}

/** Which conflicts `list` returns. */
export interface ConflictQuery {
  /** `open` (held), `resolved`, or both when absent. */
  readonly status?: 'open' | 'resolved';
  readonly sourceServer?: string;
  readonly objectType?: string;
  /** Only conflicts with an id below this (keyset paging, newest first). */
  readonly beforeId?: number;
  readonly limit?: number;
}

const COLUMNS = `id, source_server, task_guid, task_type, object_type, object_guid, title, kind, policy, status,
  outcome, base, source, target, task, created_at, resolved_at, resolved_by`;

/** How bases, conflicts and synchronization rows key an object: `<object type>:<identity>` (400 at most). */
export const objectKey = (o: ObjectKey): string => `${o.objectType}:${o.objectGuid}`.slice(0, 400);

/** The SQL of `staging_object_base` and `staging_conflict`. */
@injectable()
export class StagingConflictStore {
  constructor(@inject(Storage) private readonly storage: Storage) {}

  /** The bases `sourceServer` left these objects in, by `objectKey` (one statement, on the primary key). */
  async bases(
    sql: SqlExecutor,
    sourceServer: string,
    objects: readonly ObjectKey[],
  ): Promise<Map<string, string>> {
    if (objects.length === 0) return new Map();
    const rows = await sql.all<{ object_key: string; data: string }>(
      `SELECT object_key, data FROM staging_object_base
         WHERE source_server = ? AND object_key IN (SELECT value FROM ${sql.each('text')})`,
      [sourceServer, sql.eachParam([...new Set(objects.map(objectKey))])],
    );
    return new Map(rows.map((r) => [r.object_key, r.data]));
  }

  /**
   * What a received request starts from, in one statement: the bases `sourceServer` left these objects in (on the
   * primary key; none asked for is the common request of creates) and whether any conflict from that source is
   * open (on the status index), so a request that can supersede nothing skips `supersedeOpen`.
   */
  async requestStart(
    sql: SqlExecutor,
    sourceServer: string,
    objects: readonly ObjectKey[],
  ): Promise<{ bases: Map<string, string>; anyOpen: boolean }> {
    // The open-conflict flag travels as one extra row whose object_key is NULL.
    const rows = await sql.all<{ object_key: string | null; data: string | null }>(
      `SELECT object_key, data FROM staging_object_base
         WHERE source_server = ? AND object_key IN (SELECT value FROM ${sql.each('text')})
       UNION ALL
       SELECT NULL, NULL WHERE EXISTS (
         SELECT 1 FROM staging_conflict WHERE status = 'open' AND source_server = ?)`,
      [sourceServer, sql.eachParam([...new Set(objects.map(objectKey))]), sourceServer],
    );
    const bases = new Map<string, string>();
    let anyOpen = false;
    for (const row of rows) {
      if (row.object_key === null) anyOpen = true;
      else bases.set(row.object_key, row.data!);
    }
    return { bases, anyOpen };
  }

  /** True when this node stages to `server` (an enabled server of that name): the two are peers. */
  async stagesTo(sql: SqlExecutor, server: string): Promise<boolean> {
    const rows = await sql.all('SELECT 1 AS one FROM staging_server WHERE name = ? AND enabled = TRUE', [
      server,
    ]);
    return rows.length > 0;
  }

  /** The task that last left `key`'s base from `sourceServer`, or undefined when it has none. */
  async baseTask(sql: SqlExecutor, sourceServer: string, key: string): Promise<string | undefined> {
    const [row] = await sql.all<{ task_guid: string }>(
      'SELECT task_guid FROM staging_object_base WHERE source_server = ? AND object_key = ?',
      [sourceServer, key],
    );
    return row?.task_guid;
  }

  /**
   * Records what a request left each object in, for that source: one upsert for the objects that exist, one
   * delete for those it deleted (another source's base stays: its later update finds the object deleted here).
   * Only the last write of each object counts. The fields travel inside the one JSON parameter as objects, not as
   * JSON strings in it: encoded once, not twice (measured on the drain's receiver).
   */
  async writeBases(sql: SqlExecutor, sourceServer: string, writes: readonly BaseWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const last = new Map<string, BaseWrite>();
    for (const write of writes) last.set(objectKey(write), write);
    const kept = [...last.entries()].filter(([, w]) => w.data !== null);
    const gone = [...last.keys()].filter((key) => last.get(key)!.data === null);
    if (kept.length > 0) {
      await sql.run(
        `INSERT INTO staging_object_base (source_server, object_key, data, task_guid, updated_at)
           SELECT ?, value ->> 'o', CAST(value -> 'd' AS text), value ->> 'k', CAST(? AS bigint)
             FROM ${sql.eachRow()} WHERE true
         ON CONFLICT (source_server, object_key)
           DO UPDATE SET data = excluded.data, task_guid = excluded.task_guid, updated_at = excluded.updated_at`,
        [sourceServer, Date.now(), sql.eachRowParam(kept.map(([o, w]) => ({ o, d: w.data, k: w.taskGuid })))],
      );
    }
    if (gone.length > 0) {
      await sql.run(
        `DELETE FROM staging_object_base
          WHERE source_server = ? AND object_key IN (SELECT value FROM ${sql.each('text')})`,
        [sourceServer, sql.eachParam(gone)],
      );
    }
  }

  /**
   * Writes a conflict; a task held before and sent again updates its row, and a task's conflict supersedes the
   * open conflicts of older tasks of its object from the same source. Resolves with the conflict's id.
   */
  async writeConflict(sql: SqlExecutor, conflict: ConflictWrite): Promise<number> {
    const now = Date.now();
    const [row] = await sql.all<{ id: unknown }>(
      `INSERT INTO staging_conflict (source_server, task_guid, task_type, object_type, object_guid, title, kind,
           policy, status, outcome, base, source, target, task, created_at, resolved_at, resolved_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS bigint), CAST(? AS bigint), ?)
       ON CONFLICT (source_server, task_guid) DO UPDATE SET kind = excluded.kind, policy = excluded.policy,
         status = excluded.status, outcome = excluded.outcome, base = excluded.base, source = excluded.source,
         target = excluded.target, resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by
       RETURNING id`,
      [
        conflict.sourceServer,
        conflict.taskGuid,
        conflict.taskType,
        conflict.objectType,
        conflict.objectGuid,
        conflict.title.slice(0, 400),
        conflict.kind,
        conflict.policy,
        conflict.status,
        conflict.outcome,
        conflict.base,
        conflict.source,
        conflict.target,
        conflict.task,
        now,
        conflict.status === 'resolved' ? now : null,
        conflict.resolvedBy,
      ],
    );
    // A held task the source replaced by a newer one of the same object (collapsing): the newer one's conflict
    // (held, or handled by its policy or a handler) is the one that counts now.
    await sql.run(
      `UPDATE staging_conflict SET status = 'resolved', outcome = 'superseded', resolved_at = CAST(? AS bigint),
         resolved_by = 'staging'
         WHERE source_server = ? AND object_type = ? AND object_guid = ? AND status = 'open' AND task_guid <> ?`,
      [now, conflict.sourceServer, conflict.objectType, conflict.objectGuid, conflict.taskGuid],
    );
    return Number(row.id);
  }

  /**
   * Supersedes the open conflicts of these objects from `sourceServer`: a later task of the object applied without
   * a conflict (the edit here was undone, or the peer sent the state a resolution agreed on).
   */
  async supersedeOpen(sql: SqlExecutor, sourceServer: string, objects: readonly ObjectKey[]): Promise<void> {
    if (objects.length === 0) return;
    await sql.run(
      `UPDATE staging_conflict SET status = 'resolved', outcome = 'superseded', resolved_at = CAST(? AS bigint),
         resolved_by = 'staging'
         WHERE status = 'open' AND source_server = ?
           AND object_type || ':' || object_guid IN (SELECT value FROM ${sql.each('text')})`,
      [Date.now(), sourceServer, sql.eachParam([...new Set(objects.map(objectKey))])],
    );
  }

  /** Marks a conflict resolved with `outcome`, if it is still as `expected` (so two resolutions cannot both win). */
  async resolve(
    sql: SqlExecutor,
    id: number,
    expected: ConflictOutcome,
    outcome: ConflictOutcome,
    by: string,
  ): Promise<boolean> {
    const changed = await sql.run(
      `UPDATE staging_conflict SET status = 'resolved', outcome = ?, resolved_at = CAST(? AS bigint), resolved_by = ?
         WHERE id = ? AND outcome = ?`,
      [outcome, Date.now(), by.slice(0, 200), id, expected],
    );
    return changed === 1;
  }

  /** Adds the task to the receiver's ledger, so the source's next delivery of it is answered `duplicate`. */
  async markApplied(sql: SqlExecutor, sourceServer: string, taskGuid: string): Promise<void> {
    await sql.run(
      `INSERT INTO staging_received_task (source_server, task_guid, applied_at) VALUES (?, ?, CAST(? AS bigint))
         ON CONFLICT (source_server, task_guid) DO NOTHING`,
      [sourceServer, taskGuid, Date.now()],
    );
  }

  /** One conflict, or undefined. */
  async get(id: number, sql?: SqlExecutor): Promise<StagingConflict | undefined> {
    const read = async (s: SqlExecutor) =>
      (
        await s.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM staging_conflict WHERE id = ?`, [id])
      ).map(conflictOf)[0];
    return sql ? read(sql) : withSqlRead(this.storage, read);
  }

  /** Conflicts, newest first. */
  async list(query: ConflictQuery = {}): Promise<StagingConflict[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const filter = (clause: string, value: unknown) => {
      where.push(clause);
      params.push(value);
    };
    if (query.status) filter('status = ?', query.status);
    if (query.sourceServer) filter('source_server = ?', query.sourceServer);
    if (query.objectType) filter('object_type = ?', query.objectType);
    if (query.beforeId !== undefined) filter('id < ?', query.beforeId);
    const sqlText = `SELECT ${COLUMNS} FROM staging_conflict ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY id DESC LIMIT ?`;
    return withSqlRead(this.storage, async (sql) =>
      (await sql.all<Record<string, unknown>>(sqlText, [...params, query.limit ?? 100])).map(conflictOf),
    );
  }

  /** How many conflicts are open (held), for metrics and health. */
  async openCount(): Promise<number> {
    return withSqlRead(this.storage, async (sql) => {
      const [row] = await sql.all<{ n: unknown }>(
        "SELECT COUNT(*) AS n FROM staging_conflict WHERE status = 'open'",
      );
      return Number(row.n);
    });
  }
}

function conflictOf(r: Record<string, unknown>): StagingConflict {
  return {
    id: Number(r.id),
    sourceServer: r.source_server as string,
    taskGuid: r.task_guid as string,
    taskType: r.task_type as string,
    objectType: r.object_type as string,
    objectGuid: r.object_guid as string,
    title: r.title as string,
    kind: r.kind as ConflictKind,
    policy: r.policy as string,
    status: r.status as 'open' | 'resolved',
    outcome: r.outcome as ConflictOutcome,
    base: (r.base as string | null) ?? null,
    source: (r.source as string | null) ?? null,
    target: (r.target as string | null) ?? null,
    task: r.task as string,
    createdAt: Number(r.created_at),
    resolvedAt: r.resolved_at === null || r.resolved_at === undefined ? null : Number(r.resolved_at),
    resolvedBy: (r.resolved_by as string | null) ?? null,
  };
}
