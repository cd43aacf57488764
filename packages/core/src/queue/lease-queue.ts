// The one claim-and-lease mechanism: staging servers and integration connectors drain their synchronization rows here.
import { escapeLike } from '../util/escape-like';
import { POSTGRES_LISTS, withSqlRead, withSqlTransaction, type SqlExecutor } from '../storage/sql-executor';
import type { Storage } from '../storage/storage';
import { retryDelayMs, type RetryPolicy } from './backoff';
import { runQueueBatch, type QueueStatement } from './queue-batch-function';
import { leaseOwnerProcess, sumByProcess } from './lease-owner';

/**
 * Where a queue's rows live. The table has the columns of `SYNCHRONIZATION_COLUMNS`
 * (see `synchronizationColumns()` for a migration) plus a target column naming the server or connector.
 */
export interface SynchronizationTable {
  /** e.g. `staging_synchronization`. */
  readonly table: string;
  /** Column holding the target id, e.g. `server_id` or `connector_id`. */
  readonly targetColumn: string;
  /** Table of the tasks; a task whose last synchronization row completes is deleted with it. */
  readonly taskTable: string;
  /** Delete tasks left without synchronization rows (staging: yes; a queue that keeps history: no). */
  readonly deleteCompletedTasks: boolean;
  /** Columns of the task table a claim returns with each row (`ClaimedSynchronization.task`), read in the claim. */
  readonly taskColumns?: readonly string[];
}

/** A row this node now holds a lease on. */
export interface ClaimedSynchronization {
  readonly id: number;
  readonly taskId: number;
  readonly targetId: number;
  readonly objectKey: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /**
   * The task's `taskColumns`, read in the claim's transaction (the queue's table names them); undefined when the
   * table names none, or when the task was deleted (settle such a row as completed).
   */
  readonly task?: Readonly<Record<string, unknown>>;
}

/**
 * When a target next has work, as `nextDueAt` answers (0 now, epoch ms later, undefined when nothing is pending),
 * read in the same round trip as a claim or a settle, so a drain loop need not ask again.
 */
export interface QueueNextDue {
  readonly dueAt: number | undefined;
}

/** What `claimBatch` leased, and (when it leased nothing, on PostgreSQL) when the target next has work. */
export interface ClaimedBatch {
  readonly rows: ClaimedSynchronization[];
  /** Present when the claim could tell at no extra round trip; otherwise ask `nextDueAt`. */
  readonly next?: QueueNextDue;
}

/** What `settleBatch` recorded, and when the target next has work (when asked with `nextDueOf`). */
export interface SettledBatch {
  /** The completed ids that were still held. */
  readonly completed: number[];
  /** Present when `nextDueOf` was given and the settle could read it in its own round trip. */
  readonly next?: QueueNextDue;
}

/** Rows given back without an attempt counted, due again at `notBefore`, with the reason they wait (if any). */
export interface SynchronizationPostponement {
  readonly ids: readonly number[];
  readonly notBefore: number;
  readonly reason?: string;
}

/** What one batch came to, recorded by `settle` in one transaction. */
export interface SynchronizationOutcomes {
  readonly completed?: readonly number[];
  readonly failed?: readonly SynchronizationFailure[];
  readonly postponed?: readonly SynchronizationPostponement[];
}

/** How a failed row is recorded. */
export interface SynchronizationFailure {
  readonly id: number;
  readonly error: string;
  /** Earliest next attempt (epoch ms), e.g. from a Retry-After header; backoff applies when absent. */
  readonly notBefore?: number;
  /** Mark failed now, without further attempts (an error retrying cannot fix). */
  readonly final?: boolean;
}

/**
 * Work a caller adds to the transaction of an operation (an audit row, a counter), with how many rows the
 * operation changed: it commits or rolls back with it.
 */
export type AlsoInTransaction = (sql: SqlExecutor, changed: number) => Promise<void>;

/** Synchronization row states. `pending` rows are claimable when due; `failed` rows wait for a person. */
export type SynchronizationStatus = 'pending' | 'failed';

/** Options of `claim`. */
export interface ClaimOptions {
  readonly targetId: number;
  /** Who claims: a node id that is unique per process. */
  readonly owner: string;
  readonly limit: number;
  readonly leaseMs: number;
  /** Only these tasks (and only when no earlier row of the same object outside them is pending). */
  readonly taskIds?: readonly number[];
}

/** When the first due row `s` of a target is due: the later of its backoff and its lease's expiry, as `due`. */
const EARLIEST_DUE = `MIN(CASE WHEN s.lease_expires_at IS NOT NULL AND s.lease_expires_at > s.next_attempt_at
                          THEN s.lease_expires_at ELSE s.next_attempt_at END) AS due`;

/**
 * PostgreSQL, for the transaction of the paged claim: plan its statements on their indexes (the batch function
 * sets the same for the claim and settle it runs). Right after a bulk import the table has no statistics yet and
 * the planner believes it nearly empty; the claim's statements are also written so that no plan of them is worse
 * than one pass over the rows they name.
 */
const PREFER_INDEXES =
  "set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)";

/**
 * Claims due rows with leases and records their outcome. Order per target and object holds: a row is claimable
 * only when every earlier row of the same object for the same target is claimable too (and then claimed in the
 * same batch, before it). A failed, backing-off or leased row therefore holds back only its own object's later
 * rows. On PostgreSQL a transaction-scoped advisory lock per target makes concurrent claimers take turns and
 * `FOR UPDATE SKIP LOCKED` keeps them off each other's rows; on SQLite the node's write gate does the same.
 * A claimer that dies simply stops renewing; its leases expire and another claimer takes the rows.
 */
export class LeaseQueue {
  constructor(
    private readonly storage: Storage,
    private readonly spec: SynchronizationTable,
    private readonly now: () => number = Date.now,
  ) {}

  /** Leases up to `limit` due rows of a target, oldest task first. */
  async claim(options: ClaimOptions): Promise<ClaimedSynchronization[]> {
    return (await this.claimBatch(options)).rows;
  }

  /**
   * `claim`, and when it leased nothing, when the target next has work. On PostgreSQL one round trip
   * (`claimPostgresAtOnce`) unless the first page of candidates is full of held-back rows; then the paged claim.
   */
  async claimBatch(options: ClaimOptions): Promise<ClaimedBatch> {
    if (options.taskIds && options.taskIds.length === 0) return { rows: [] };
    if (this.storage.kind === 'postgres') {
      const atOnce = await this.claimPostgresAtOnce(options);
      if (atOnce) return atOnce;
    }
    return { rows: await this.claimInTransaction(options) };
  }

  /**
   * PostgreSQL's claim in one call of the queue's batch function (`runQueueBatch`), as pg-boss fetches: the
   * target's advisory lock, then one parameterised statement that picks the first page of due rows
   * (`FOR UPDATE SKIP LOCKED`), drops those an earlier row of their object outside the page precedes (one index
   * probe per object, as `withoutEarlierRowsLeft`), leases the rest and returns them joined with their tasks; when
   * it leases nothing, it also answers `nextDueAt` from the same snapshot, which the function takes after the lock
   * is held. Returns undefined, having leased nothing, when the page was full and held back too many rows to fill
   * the batch: the paged claim then goes on past it.
   */
  private async claimPostgresAtOnce(options: ClaimOptions): Promise<ClaimedBatch | undefined> {
    const { table, targetColumn, taskTable } = this.spec;
    const { targetId, limit } = options;
    const page = Math.max(limit, 100);
    const now = this.now();
    const requested = options.taskIds ? 'AND s.task_id = ANY(?)' : '';
    const columns = (this.spec.taskColumns ?? []).map((c) => `, k.${c}`).join('');
    // `first` is MATERIALIZED so each object is probed once, not once per candidate it is joined with.
    // The lease runs from the moment the rows are leased, not from before the advisory-lock wait: the wait
    // (statement_timestamp() is when the statement arrived) is added, so a slow claim never hands out expired
    // leases. Parameters are listed in the order their `?` appear.
    const claim = `WITH cand AS (
         SELECT s.id, s.task_id, s.object_key, s.attempts FROM ${table} s
          WHERE s.${targetColumn} = ? AND s.status = 'pending' AND s.next_attempt_at <= ?
            AND (s.lease_expires_at IS NULL OR s.lease_expires_at <= ?) ${requested}
          ORDER BY s.task_id LIMIT ? FOR UPDATE OF s SKIP LOCKED),
       first AS MATERIALIZED (
         SELECT k.key, (SELECT MIN(e.task_id) FROM ${table} e
                         WHERE e.${targetColumn} = ? AND e.object_key = k.key
                           AND NOT (e.id IN (SELECT c.id FROM cand c))) AS task_id
           FROM (SELECT DISTINCT object_key AS key FROM cand) k),
       kept AS (
         SELECT c.id FROM cand c LEFT JOIN first f ON f.key = c.object_key
          WHERE f.task_id IS NULL OR c.task_id < f.task_id
          ORDER BY c.task_id, c.id LIMIT ?),
       whole AS (
         SELECT (SELECT COUNT(*) FROM kept) >= ? OR (SELECT COUNT(*) FROM cand) < ? AS ok),
       leased AS (
         UPDATE ${table} SET lease_owner = ?,
                lease_expires_at = CAST(? AS bigint)
                  + (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::bigint
          WHERE id IN (SELECT id FROM kept) AND (SELECT ok FROM whole)
          RETURNING id, task_id, object_key, attempts)
       SELECT w.ok AS whole__, l.id AS id__, l.task_id AS task_id__, l.object_key AS object_key__,
              l.attempts AS attempts__, k.id AS task_found__${columns},
              CASE WHEN w.ok AND NOT EXISTS (SELECT 1 FROM leased) THEN (${this.nextDuePostgres()}) END
                AS next_due__
         FROM whole w LEFT JOIN leased l ON true LEFT JOIN ${taskTable} k ON k.id = l.task_id
        ORDER BY l.task_id, l.id`;
    const params = [
      targetId,
      now,
      now,
      ...(options.taskIds ? [[...options.taskIds]] : []),
      page,
      targetId,
      limit,
      limit,
      page,
      options.owner,
      now + options.leaseMs,
      targetId,
    ];
    const [rows] = await runQueueBatch(this.storage, table, this.claimLock(targetId), [
      { sql: claim, params },
    ]);
    if (rows.length === 0 || rows[0].whole__ !== true) return undefined;
    if (rows[0].id__ === null) return { rows: [], next: { dueAt: dueAtOf(rows[0].next_due__, now) } };
    return {
      rows: rows.map(
        ({
          whole__: _whole,
          id__,
          task_id__,
          object_key__,
          attempts__,
          task_found__,
          next_due__: _next,
          ...task
        }) => ({
          id: Number(id__),
          taskId: Number(task_id__),
          targetId: options.targetId,
          objectKey: String(object_key__),
          attempts: Number(attempts__),
          task: this.spec.taskColumns && task_found__ !== null ? task : undefined,
        }),
      ),
    };
  }

  /** The advisory lock key both PostgreSQL claims of a target take, so claimers of either kind take turns. */
  private claimLock(targetId: number): string {
    return `${this.spec.table}:${targetId}`;
  }

  /**
   * `nextDueAt`'s PostgreSQL query for one target (its one parameter, the target's id): only the first row of
   * each object can be due, and the first rows come from one ordered pass (DISTINCT ON), which no plan can make
   * quadratic.
   */
  private nextDuePostgres(): string {
    const { table, targetColumn } = this.spec;
    return `SELECT ${EARLIEST_DUE}
              FROM (SELECT DISTINCT ON (f.object_key) f.status, f.next_attempt_at, f.lease_expires_at
                      FROM ${table} f WHERE f.${targetColumn} = ? ORDER BY f.object_key, f.task_id) s
             WHERE s.status = 'pending'`;
  }

  /** The claim in one transaction: SQLite's one statement, or PostgreSQL's paged claim. */
  private async claimInTransaction(options: ClaimOptions): Promise<ClaimedSynchronization[]> {
    const { table } = this.spec;
    return withSqlTransaction(this.storage, async (sql) => {
      let claimable: readonly Record<string, unknown>[];
      if (sql.kind === 'postgres') {
        await sql.all(`SELECT pg_advisory_xact_lock(hashtext(?)), ${PREFER_INDEXES}`, [
          this.claimLock(options.targetId),
        ]);
        claimable = await this.claimablePostgres(sql, options);
      } else {
        claimable = await this.claimableSqlite(sql, options);
      }
      if (claimable.length === 0) return [];
      const ids = claimable.map((r) => Number(r.id));
      // Timed from now, not from before the advisory-lock wait: a slow claim must not hand out expired leases.
      await sql.run(`UPDATE ${table} SET lease_owner = ?, lease_expires_at = ? WHERE id ${sql.in(ids)}`, [
        options.owner,
        this.now() + options.leaseMs,
        ...sql.inParams(ids),
      ]);
      const tasks = await this.tasksOf(
        sql,
        claimable.map((r) => Number(r.task_id)),
      );
      return claimable.map((r) => ({
        id: Number(r.id),
        taskId: Number(r.task_id),
        targetId: options.targetId,
        objectKey: String(r.object_key),
        attempts: Number(r.attempts),
        task: tasks?.get(Number(r.task_id)),
      }));
    });
  }

  /** The claimed rows' tasks (`taskColumns`) by id, in the claim's transaction; undefined when none are named. */
  private async tasksOf(sql: SqlExecutor, taskIds: readonly number[]) {
    const columns = this.spec.taskColumns;
    if (!columns) return undefined;
    const unique = [...new Set(taskIds)];
    const rows = await sql.all<Record<string, unknown>>(
      `SELECT id AS task_id__, ${columns.join(', ')} FROM ${this.spec.taskTable} WHERE id ${sql.in(unique)}`,
      sql.inParams(unique),
    );
    return new Map(rows.map(({ task_id__: id, ...task }) => [Number(id), task]));
  }

  /** SQLite: one statement, due rows whose every earlier row of the same object is due too (measured fastest). */
  private async claimableSqlite(sql: SqlExecutor, options: ClaimOptions) {
    const { table, targetColumn } = this.spec;
    const now = this.now();
    const requested = options.taskIds;
    const onlyRequested = requested ? `AND s.task_id ${sql.in(requested)}` : '';
    const outsideRequested = requested ? `NOT (e.task_id ${sql.in(requested)}) OR` : '';
    return sql.all<Record<string, unknown>>(
      `SELECT s.id, s.task_id, s.object_key, s.attempts FROM ${table} s
        WHERE s.${targetColumn} = ? AND s.status = 'pending' AND s.next_attempt_at <= ?
          AND (s.lease_expires_at IS NULL OR s.lease_expires_at <= ?) ${onlyRequested}
          AND NOT EXISTS (SELECT 1 FROM ${table} e
               WHERE e.${targetColumn} = s.${targetColumn} AND e.object_key = s.object_key AND e.task_id < s.task_id
                 AND (${outsideRequested} e.status <> 'pending' OR e.next_attempt_at > ?
                      OR (e.lease_expires_at IS NOT NULL AND e.lease_expires_at > ?)))
        ORDER BY s.task_id, s.id LIMIT ?`,
      [
        options.targetId,
        now,
        now,
        ...(requested ? sql.inParams(requested) : []),
        ...(requested ? sql.inParams(requested) : []),
        now,
        now,
        options.limit,
      ],
    );
  }

  /**
   * PostgreSQL: the plain indexed claim pg-boss and graphile-worker use (due rows in task order, `LIMIT`,
   * `FOR UPDATE SKIP LOCKED`), then per object one indexed look for an earlier row this claim did not take. No
   * statement joins the target's rows with themselves: on a table without statistics (a burst after a quiet
   * period) the planner ran that anti-join as a scan of the target per candidate, 35 million buffers for a
   * 6,000-row backlog. Pages go on while rows are held back, so a blocked object never starves the others.
   */
  private async claimablePostgres(sql: SqlExecutor, options: ClaimOptions) {
    const { table, targetColumn } = this.spec;
    const requested = options.taskIds;
    const pageSize = Math.max(options.limit, 100);
    const kept: Record<string, unknown>[] = [];
    const taken = new Map<string, number[]>(); // ids this claim locked, by object key
    for (let after = -1; kept.length < options.limit;) {
      const now = this.now();
      const page = await sql.all<Record<string, unknown>>(
        `SELECT s.id, s.task_id, s.object_key, s.attempts FROM ${table} s
          WHERE s.${targetColumn} = ? AND s.status = 'pending' AND s.next_attempt_at <= ?
            AND (s.lease_expires_at IS NULL OR s.lease_expires_at <= ?) AND s.task_id > ?
            ${requested ? `AND s.task_id ${sql.in(requested)}` : ''}
          ORDER BY s.task_id LIMIT ? FOR UPDATE OF s SKIP LOCKED`,
        [options.targetId, now, now, after, ...(requested ? sql.inParams(requested) : []), pageSize],
      );
      if (page.length === 0) break;
      after = Number(page[page.length - 1].task_id);
      for (const r of page) {
        const key = String(r.object_key);
        taken.set(key, [...(taken.get(key) ?? []), Number(r.id)]);
      }
      kept.push(...(await this.withoutEarlierRowsLeft(sql, options.targetId, page, taken)));
      if (page.length < pageSize) break;
    }
    return kept.slice(0, options.limit);
  }

  /**
   * The rows of `page` that no row of their object outside `taken` (ids by object key) precedes: such a row is failed, backing off,
   * leased, outside the requested tasks, or was passed over by `SKIP LOCKED` (another transaction holds it, e.g.
   * a host's collapse that may still roll back), and sending the later rows now would overtake it.
   */
  private async withoutEarlierRowsLeft(
    sql: SqlExecutor,
    targetId: number,
    page: readonly Record<string, unknown>[],
    taken: ReadonlyMap<string, readonly number[]>,
  ): Promise<Record<string, unknown>[]> {
    const { table, targetColumn } = this.spec;
    const keys = [...new Set(page.map((r) => String(r.object_key)))];
    const ids = keys.flatMap((key) => taken.get(key) ?? []);
    // One index probe per object key (target, object_key, task_id): never a scan of the target's rows.
    const earliest = await sql.all<{ object_key: string; task_id: unknown }>(
      `SELECT k.key AS object_key,
              (SELECT MIN(e.task_id) FROM ${table} e
                WHERE e.${targetColumn} = ? AND e.object_key = k.key AND NOT (e.id ${sql.in(ids)})) AS task_id
         FROM unnest(?::varchar[]) AS k(key)`,
      [targetId, ...sql.inParams(ids), keys],
    );
    const left = new Map(
      earliest.filter((r) => r.task_id !== null).map((r) => [r.object_key, Number(r.task_id)] as const),
    );
    return page.filter((r) => {
      const first = left.get(String(r.object_key));
      return first === undefined || Number(r.task_id) < first;
    });
  }

  /** Rows under an unexpired lease, by the process holding them (`leaseOwnerProcess`: `<host>:<pid>`). */
  async leasesByProcess(): Promise<Map<string, number>> {
    const rows = await withSqlRead(this.storage, (sql) =>
      sql.all<{ owner: string; n: unknown }>(
        `SELECT lease_owner AS owner, COUNT(*) AS n FROM ${this.spec.table}
          WHERE lease_owner IS NOT NULL AND lease_expires_at > ? GROUP BY lease_owner`,
        [this.now()],
      ),
    );
    return sumByProcess(rows.map((row) => [leaseOwnerProcess(row.owner), Number(row.n)] as const));
  }

  /** The channel `QueueWakeups.on` hears this queue's due rows on: its table's name (`queueWakeupTriggers`). */
  get wakeupChannel(): string {
    return this.spec.table;
  }

  /** Extends the leases `owner` still holds on `ids`; returns how many it still holds. */
  async heartbeat(ids: readonly number[], owner: string, leaseMs: number): Promise<number> {
    if (ids.length === 0) return 0;
    return withSqlTransaction(this.storage, (sql) =>
      sql.run(
        `UPDATE ${this.spec.table} SET lease_expires_at = ? WHERE lease_owner = ? AND id ${sql.in(ids)}`,
        [this.now() + leaseMs, owner, ...sql.inParams(ids)],
      ),
    );
  }

  /**
   * Records a batch's outcomes on the rows `owner` still leases, in ONE transaction: completed rows are deleted
   * (with tasks left without rows, when configured), failed ones get their error, attempt and backoff (or become
   * `failed`), postponed ones go back without an attempt. `alsoInTransaction` commits with them (a log entry).
   * Returns the completed ids that were still held.
   */
  async settle(
    outcomes: SynchronizationOutcomes,
    owner: string,
    policy: RetryPolicy,
    alsoInTransaction?: (sql: SqlExecutor) => Promise<void>,
  ): Promise<number[]> {
    return (await this.settleBatch(outcomes, owner, policy, alsoInTransaction)).completed;
  }

  /**
   * `settle`, and with `nextDueOf` (a target id) when that target next has work, read after the outcomes are
   * recorded. On PostgreSQL a batch of completions and postponements with nothing else in its transaction is ONE
   * round trip (`settlePostgresAtOnce`), the next due time included; failures and `alsoInTransaction` take the
   * transaction of `settle`, and no `next`.
   */
  async settleBatch(
    outcomes: SynchronizationOutcomes,
    owner: string,
    policy: RetryPolicy,
    alsoInTransaction?: (sql: SqlExecutor) => Promise<void>,
    nextDueOf?: number,
  ): Promise<SettledBatch> {
    if (this.storage.kind === 'postgres' && !alsoInTransaction && (outcomes.failed ?? []).length === 0) {
      return this.settlePostgresAtOnce(outcomes, owner, nextDueOf);
    }
    return { completed: await this.settleInTransaction(outcomes, owner, policy, alsoInTransaction) };
  }

  /**
   * PostgreSQL: completions and postponements in ONE parameterised statement (data-modifying CTEs, all committed
   * together), then, with `nextDueOf`, the next due time in a second that sees them, both in one call of the
   * queue's batch function.
   */
  private async settlePostgresAtOnce(
    outcomes: SynchronizationOutcomes,
    owner: string,
    nextDueOf: number | undefined,
  ): Promise<SettledBatch> {
    const { table, taskTable } = this.spec;
    const completed = outcomes.completed ?? [];
    const postponed = (outcomes.postponed ?? []).filter((p) => p.ids.length > 0);
    if (completed.length === 0 && postponed.length === 0 && nextDueOf === undefined) return { completed: [] };
    // One snapshot for the whole statement: the task delete still sees the rows `done` deletes, so it skips them.
    const orphans = this.spec.deleteCompletedTasks
      ? `, gone AS (DELETE FROM ${taskTable} WHERE id IN (SELECT task_id FROM done)
           AND NOT EXISTS (SELECT 1 FROM ${table} s
                            WHERE s.task_id = ${taskTable}.id AND NOT (s.id IN (SELECT id FROM done))))`
      : '';
    const parts = [
      `done AS (DELETE FROM ${table} WHERE lease_owner = ? AND id = ANY(?) RETURNING id, task_id)`,
    ];
    const params: unknown[] = [owner, [...completed]];
    postponed.forEach((postponement, i) => {
      const update = this.postponement(POSTGRES_LISTS, postponement, owner);
      parts.push(`later${i} AS (${update.text} RETURNING id)`);
      params.push(...update.params);
    });
    const statements: QueueStatement[] = [];
    const settles = completed.length > 0 || postponed.length > 0;
    if (settles) {
      const ctes = [`${parts[0]}${orphans}`, ...parts.slice(1)].join(',\n       ');
      statements.push({ sql: `WITH ${ctes}\n     SELECT id FROM done`, params });
    }
    // The function's next statement sees what the settle wrote: one round trip for both.
    if (nextDueOf !== undefined) statements.push({ sql: this.nextDuePostgres(), params: [nextDueOf] });
    const answers = await runQueueBatch(this.storage, table, undefined, statements);
    const held = settles ? answers[0].map((r) => Number(r.id)) : [];
    if (nextDueOf === undefined) return { completed: held };
    const [row] = answers[answers.length - 1];
    return { completed: held, next: { dueAt: dueAtOf(row?.due, this.now()) } };
  }

  private async settleInTransaction(
    outcomes: SynchronizationOutcomes,
    owner: string,
    policy: RetryPolicy,
    alsoInTransaction?: (sql: SqlExecutor) => Promise<void>,
  ): Promise<number[]> {
    return withSqlTransaction(this.storage, async (sql) => {
      const completed = await this.completeIn(sql, outcomes.completed ?? [], owner);
      await this.failIn(sql, outcomes.failed ?? [], owner, policy);
      for (const p of outcomes.postponed ?? []) await this.postponeIn(sql, p, owner);
      await alsoInTransaction?.(sql);
      return completed;
    });
  }

  /**
   * Records success: deletes the rows `owner` still leases (and tasks left without rows, when configured).
   * `alsoInTransaction` runs in the same transaction (e.g. counters); returns the ids that were still held.
   */
  async complete(
    ids: readonly number[],
    owner: string,
    alsoInTransaction?: (sql: SqlExecutor) => Promise<void>,
  ): Promise<number[]> {
    if (ids.length === 0) return [];
    return withSqlTransaction(this.storage, async (sql) => {
      const held = await this.completeIn(sql, ids, owner);
      if (held.length > 0) await alsoInTransaction?.(sql);
      return held;
    });
  }

  private async completeIn(sql: SqlExecutor, ids: readonly number[], owner: string): Promise<number[]> {
    if (ids.length === 0) return [];
    const { table } = this.spec;
    // One statement deletes the rows still held and says which they were (both engines have RETURNING).
    const held = await sql.all<{ id: unknown; task_id: unknown }>(
      `DELETE FROM ${table} WHERE lease_owner = ? AND id ${sql.in(ids)} RETURNING id, task_id`,
      [owner, ...sql.inParams(ids)],
    );
    if (held.length === 0) return [];
    const heldIds = held.map((r) => Number(r.id));
    await this.deleteOrphanTasks(
      sql,
      held.map((r) => Number(r.task_id)),
    );
    return heldIds;
  }

  /**
   * Records failures on rows `owner` still leases: error text, attempt count, last run, next attempt with
   * backoff; a row out of attempts (or `final`) becomes `failed`. Releases the leases.
   */
  async fail(failures: readonly SynchronizationFailure[], owner: string, policy: RetryPolicy): Promise<void> {
    if (failures.length === 0) return;
    await withSqlTransaction(this.storage, (sql) => this.failIn(sql, failures, owner, policy));
  }

  private async failIn(
    sql: SqlExecutor,
    failures: readonly SynchronizationFailure[],
    owner: string,
    policy: RetryPolicy,
  ): Promise<void> {
    if (failures.length === 0) return;
    const { table } = this.spec;
    const now = this.now();
    const ids = failures.map((f) => f.id);
    const held = await sql.all<{ id: unknown; attempts: unknown }>(
      `SELECT id, attempts FROM ${table} WHERE lease_owner = ? AND id ${sql.in(ids)}`,
      [owner, ...sql.inParams(ids)],
    );
    const attemptsById = new Map(held.map((r) => [Number(r.id), Number(r.attempts)]));
    for (const failure of failures) {
      const previous = attemptsById.get(failure.id);
      if (previous === undefined) continue; // lease lost: another claimer owns the outcome now
      const attempts = previous + 1;
      const exhausted = failure.final || attempts >= policy.maxAttempts;
      const next = Math.max(now + retryDelayMs(attempts, policy), failure.notBefore ?? 0);
      await sql.run(
        `UPDATE ${table} SET status = ?, attempts = ?, last_run_at = ?, last_error = ?, next_attempt_at = ?,
           lease_owner = NULL, lease_expires_at = NULL WHERE id = ?`,
        [exhausted ? 'failed' : 'pending', attempts, now, failure.error.slice(0, 4000), next, failure.id],
      );
    }
  }

  /**
   * Gives rows back without counting an attempt, due again at `notBefore` (a connector's SkipNow). A `reason`
   * (e.g. "the connector is disabled") is kept in `last_error`, so a person can see why the rows wait.
   */
  async postpone(ids: readonly number[], owner: string, notBefore: number, reason?: string): Promise<void> {
    if (ids.length === 0) return;
    await withSqlTransaction(this.storage, (sql) => this.postponeIn(sql, { ids, notBefore, reason }, owner));
  }

  private async postponeIn(
    sql: SqlExecutor,
    { ids, notBefore, reason }: SynchronizationPostponement,
    owner: string,
  ): Promise<void> {
    if (ids.length === 0) return;
    const update = this.postponement(sql, { ids, notBefore, reason }, owner);
    await sql.run(update.text, update.params);
  }

  /** The UPDATE that gives `owner`'s rows back without an attempt: `postponeIn`'s, and a settle's CTE on PostgreSQL. */
  private postponement(
    sql: Pick<SqlExecutor, 'in' | 'inParams'>,
    { ids, notBefore, reason }: SynchronizationPostponement,
    owner: string,
  ): { text: string; params: unknown[] } {
    const note = reason === undefined ? '' : ', last_error = ?';
    return {
      text: `UPDATE ${this.spec.table} SET lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = ?,
               last_run_at = ?${note} WHERE lease_owner = ? AND id ${sql.in(ids)}`,
      params: [
        notBefore,
        this.now(),
        ...(reason === undefined ? [] : [reason.slice(0, 4000)]),
        owner,
        ...sql.inParams(ids),
      ],
    };
  }

  /**
   * Puts off a target's due, unleased rows until `until` with `reason` as their last error, without counting an
   * attempt: the reason a consumer cannot work now (disabled, paused, a refused config), on every row that waits
   * for it. Rows already put off are not due, so a repeat writes only rows logged since. Returns how many changed.
   */
  async annotate(targetId: number, reason: string, until: number): Promise<number> {
    const { table, targetColumn } = this.spec;
    return withSqlTransaction(this.storage, (sql) => {
      const now = this.now();
      return sql.run(
        `UPDATE ${table} SET next_attempt_at = ?, last_error = ?
          WHERE ${targetColumn} = ? AND status = 'pending' AND next_attempt_at <= ?
            AND (lease_expires_at IS NULL OR lease_expires_at <= ?)`,
        [until, reason.slice(0, 4000), targetId, now, now],
      );
    });
  }

  /**
   * Makes a target's pending, unleased rows that wait for one of `dueTimes` due now: the times an outage
   * postponed them to, once the target answers again. Rows backing off after their own failure keep their time.
   */
  async makeDue(targetId: number, dueTimes: readonly number[]): Promise<number> {
    if (dueTimes.length === 0) return 0;
    const { table, targetColumn } = this.spec;
    return withSqlTransaction(this.storage, (sql) =>
      sql.run(
        `UPDATE ${table} SET next_attempt_at = ?
          WHERE ${targetColumn} = ? AND status = 'pending' AND lease_owner IS NULL AND next_attempt_at ${sql.in(dueTimes)}`,
        [this.now(), targetId, ...sql.inParams(dueTimes)],
      ),
    );
  }

  /**
   * Makes a target's pending, unleased rows whose last error starts with `reasonPrefix` due now: the rows a hold
   * (a disabled, paused or broken consumer) put off, once it is lifted. Rows backing off after their own failure
   * say something else and keep their time.
   */
  async makeDueHeldBy(targetId: number, reasonPrefix: string): Promise<number> {
    const { table, targetColumn } = this.spec;
    const pattern = `${escapeLike(reasonPrefix)}%`;
    return withSqlTransaction(this.storage, (sql) =>
      sql.run(
        `UPDATE ${table} SET next_attempt_at = ?
          WHERE ${targetColumn} = ? AND status = 'pending' AND lease_owner IS NULL AND last_error LIKE ? ESCAPE '\\'`,
        [this.now(), targetId, pattern],
      ),
    );
  }

  /**
   * Makes every pending, unleased row of a target (of `taskIds`, when given) due now, keeping its attempts: a
   * synchronization a person asks for sends what waits, backoff or not. Failed rows stay failed (retry them).
   */
  async makeAllDue(targetId: number, taskIds?: readonly number[]): Promise<number> {
    const { table, targetColumn } = this.spec;
    return withSqlTransaction(this.storage, async (sql) => {
      const update = `UPDATE ${table} SET next_attempt_at = ?
          WHERE ${targetColumn} = ? AND status = 'pending' AND lease_owner IS NULL AND next_attempt_at > ?`;
      const now = this.now();
      if (!taskIds) return sql.run(update, [now, targetId, now]);
      let changed = 0;
      for (const chunk of chunks(taskIds)) {
        changed += await sql.run(`${update} AND task_id ${sql.in(chunk)}`, [
          now,
          targetId,
          now,
          ...sql.inParams(chunk),
        ]);
      }
      return changed;
    });
  }

  /** Drops every lease `owner` holds (a clean stop), so other claimers need not wait for expiry. */
  async releaseAll(owner: string): Promise<void> {
    await withSqlTransaction(this.storage, (sql) =>
      sql.run(
        `UPDATE ${this.spec.table} SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ?`,
        [owner],
      ),
    );
  }

  /** Makes failed (or backing-off) rows due now with a fresh attempt count; returns how many changed. */
  async retry(ids: readonly number[], alsoInTransaction?: AlsoInTransaction): Promise<number> {
    if (ids.length === 0) return 0;
    return withSqlTransaction(this.storage, async (sql) => {
      let changed = 0;
      for (const chunk of chunks(ids)) {
        changed += await sql.run(
          `UPDATE ${this.spec.table} SET status = 'pending', attempts = 0, next_attempt_at = 0 WHERE id ${sql.in(chunk)}`,
          sql.inParams(chunk),
        );
      }
      await alsoInTransaction?.(sql, changed);
      return changed;
    });
  }

  /**
   * Deletes rows for good (a person gave up on them), with their tasks when no other row still needs them
   * and the table deletes completed tasks. Returns how many rows went.
   */
  async remove(ids: readonly number[], alsoInTransaction?: AlsoInTransaction): Promise<number> {
    if (ids.length === 0) return 0;
    const { table } = this.spec;
    return withSqlTransaction(this.storage, async (sql) => {
      let removed = 0;
      for (const chunk of chunks(ids)) {
        const rows = await sql.all<{ task_id: unknown }>(
          `SELECT task_id FROM ${table} WHERE id ${sql.in(chunk)}`,
          sql.inParams(chunk),
        );
        removed += await sql.run(`DELETE FROM ${table} WHERE id ${sql.in(chunk)}`, sql.inParams(chunk));
        await this.deleteOrphanTasks(
          sql,
          rows.map((r) => Number(r.task_id)),
        );
      }
      await alsoInTransaction?.(sql, removed);
      return removed;
    });
  }

  /**
   * When the target next has work: 0 when a row is due now, the epoch ms of the earliest backoff or lease
   * expiry otherwise, undefined when nothing is pending. Drain loops sleep until then.
   */
  async nextDueAt(targetId: number): Promise<number | undefined> {
    // A pure read: on SQLite the read-only connection, so a drain's idle check never waits for a writer.
    return withSqlRead(this.storage, async (sql) => {
      const { table, targetColumn } = this.spec;
      const now = this.now();
      // Only the first row of each object can be due; rows behind it wait for it whatever their own time.
      const [row] = await sql.all<{ due: unknown }>(
        sql.kind === 'postgres'
          ? this.nextDuePostgres()
          : `SELECT ${EARLIEST_DUE} FROM ${table} s WHERE s.${targetColumn} = ? AND s.status = 'pending'
            AND NOT EXISTS (SELECT 1 FROM ${table} e WHERE e.${targetColumn} = s.${targetColumn}
                             AND e.object_key = s.object_key AND e.task_id < s.task_id)`,
        [targetId],
      );
      return dueAtOf(row?.due, now);
    });
  }

  /**
   * Queues a logged task for its targets, in the logging transaction `sql`: one pending row per target, due now,
   * under `objectKey` (the order per object is by task id).
   */
  async enqueueIn(
    sql: SqlExecutor,
    taskId: number,
    targetIds: readonly number[],
    objectKey: string,
  ): Promise<void> {
    if (targetIds.length === 0) return;
    const { table, targetColumn } = this.spec;
    await sql.run(
      `INSERT INTO ${table} (task_id, ${targetColumn}, object_key) VALUES ${targetIds.map(() => '(?, ?, ?)').join(', ')}`,
      targetIds.flatMap((target) => [taskId, target, objectKey]),
    );
  }

  /**
   * Removes the rows of `taskIds` for `targetIds` that no one leases, in `sql`'s transaction, and the tasks left
   * without rows: what a newer task of the same object replaces (collapsing). Returns the task ids whose rows
   * went. One statement, so the lease check and the delete cannot be split: on PostgreSQL a claimer that leased
   * a row meanwhile holds its lock, and the delete re-checks `lease_owner` on the row it waited for and leaves it.
   */
  async supersedeIn(
    sql: SqlExecutor,
    taskIds: readonly number[],
    targetIds: readonly number[],
  ): Promise<Set<number>> {
    if (taskIds.length === 0 || targetIds.length === 0) return new Set();
    const { table, targetColumn } = this.spec;
    const removed = await sql.all<{ task_id: unknown }>(
      `DELETE FROM ${table}
        WHERE task_id ${sql.in(taskIds)} AND ${targetColumn} ${sql.in(targetIds)} AND lease_owner IS NULL
        RETURNING task_id`,
      [...sql.inParams(taskIds), ...sql.inParams(targetIds)],
    );
    const superseded = new Set(removed.map((r) => Number(r.task_id)));
    await this.deleteOrphanTasks(sql, [...superseded]);
    return superseded;
  }

  /**
   * Removes every row of a target, leased or not, in `sql`'s transaction, and the tasks no other target still
   * waits for: the target itself is being deleted. Returns how many rows went.
   */
  async removeTargetIn(sql: SqlExecutor, targetId: number): Promise<number> {
    const { table, targetColumn } = this.spec;
    const removed = await sql.all<{ task_id: unknown }>(
      `DELETE FROM ${table} WHERE ${targetColumn} = ? RETURNING task_id`,
      [targetId],
    );
    await this.deleteOrphanTasks(
      sql,
      removed.map((r) => Number(r.task_id)),
    );
    return removed.length;
  }

  /**
   * Withdraws an object's rows for one target that no one leases, in `sql`'s transaction (their tasks go once no
   * row needs them): what a resolution replaces with a task of its own. Returns how many rows went.
   */
  async withdrawIn(sql: SqlExecutor, targetId: number, objectKey: string): Promise<number> {
    const { table, targetColumn } = this.spec;
    const removed = await sql.all<{ task_id: unknown }>(
      `DELETE FROM ${table} WHERE ${targetColumn} = ? AND object_key = ? AND lease_owner IS NULL RETURNING task_id`,
      [targetId, objectKey],
    );
    await this.deleteOrphanTasks(
      sql,
      removed.map((r) => Number(r.task_id)),
    );
    return removed.length;
  }

  /**
   * Deletes the given tasks that no synchronization row needs any more (when the table says so), in `sql`'s
   * transaction, after this queue removed rows of theirs.
   */
  async deleteOrphanTasks(sql: SqlExecutor, taskIds: readonly number[]): Promise<void> {
    const { table, taskTable } = this.spec;
    const unique = [...new Set(taskIds)];
    if (!this.spec.deleteCompletedTasks || unique.length === 0) return;
    for (const chunk of chunks(unique)) {
      await sql.run(
        `DELETE FROM ${taskTable} WHERE id ${sql.in(chunk)}
           AND NOT EXISTS (SELECT 1 FROM ${table} s WHERE s.task_id = ${taskTable}.id)`,
        sql.inParams(chunk),
      );
    }
  }
}

/** A due time as read (null: nothing pending) as `nextDueAt` answers it: 0 when due by `now`. */
function dueAtOf(value: unknown, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const due = Number(value);
  return due <= now ? 0 : due;
}

/** Ids in statements of at most 10,000: SQLite binds at most 32,766 parameters per statement. */
function chunks(ids: readonly number[], size = 10_000): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}
