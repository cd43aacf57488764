// PostgreSQL: the function through which a queue claims or settles in ONE round trip (the target's lock, then
// statements that each see what committed before it), for the migration of the module that owns the table.
import type { QueryRunner } from 'typeorm';
import { SyncbusError } from '../errors';
import type { Storage } from '../storage/storage';

/**
 * One parameterised statement of a batch: `?` placeholders and their values, as `SqlExecutor` takes them. It
 * returns rows: a write is a data-modifying CTE or has a RETURNING clause.
 */
export interface QueueStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * A migration's `up` and `down` creating `<table>_batch(lock_key, statements, args)` for these tables
 * (PostgreSQL only; on SQLite they do nothing). The function takes the transaction-scoped advisory lock
 * `lock_key` (none when null), sets the queue's planner settings, and runs `statements[i]` with `args->(i-1)` as
 * its one parameter, returning each row as `(part, data)`: the statement's number and the row as jsonb.
 *
 * It exists for two reasons. A plpgsql function's statements each take a fresh snapshot, so a claim's picking
 * statement sees every commit made before the lock was granted, which a CTE beside the lock could not, and a
 * claim or settle costs one round trip instead of a BEGIN, its statements and a COMMIT (graphile-worker's
 * `get_job` is the model). And it commits without waiting for the WAL flush (`synchronous_commit` off, local to
 * this transaction): what a crash of PostgreSQL could lose is a lease (the row is claimed again) or a completion
 * (the task is sent again and the target's ledger answers `duplicate`), never a task. The statements are the
 * queue's own, parameterised; the function runs with its caller's rights.
 */
export function queueBatchFunctions(...tables: readonly string[]): {
  up(runner: QueryRunner): Promise<void>;
  down(runner: QueryRunner): Promise<void>;
} {
  for (const table of tables) batchFunctionName(table);
  const run = async (runner: QueryRunner, which: 'up' | 'down') => {
    if (runner.connection.driver.options.type !== 'postgres') return;
    for (const table of tables) {
      const fn = batchFunctionName(table);
      await runner.query(
        which === 'up'
          ? `CREATE FUNCTION ${fn}(lock_key text, statements text[], args jsonb)
               RETURNS TABLE (part int, data jsonb) LANGUAGE plpgsql VOLATILE AS $$
             DECLARE
               result_row record;
             BEGIN
               IF lock_key IS NOT NULL THEN
                 PERFORM pg_advisory_xact_lock(hashtext(lock_key));
               END IF;
               PERFORM set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
                       set_config('synchronous_commit', 'off', true);
               FOR i IN 1 .. coalesce(array_length(statements, 1), 0) LOOP
                 FOR result_row IN EXECUTE statements[i] USING args -> (i - 1) LOOP
                   part := i - 1;
                   data := to_jsonb(result_row);
                   RETURN NEXT;
                 END LOOP;
               END LOOP;
             END $$`
          : `DROP FUNCTION IF EXISTS ${fn}(text, text[], jsonb)`,
      );
    }
  };
  return { up: (runner) => run(runner, 'up'), down: (runner) => run(runner, 'down') };
}

/**
 * Runs `statements` through `table`'s batch function in one round trip and one transaction, after taking the
 * advisory lock `lockKey` when given; resolves with each statement's rows, in order. Values travel as one jsonb
 * parameter: numbers, strings, booleans, null and arrays of numbers or of strings (an empty array is one of
 * bigints, the queue's id lists).
 */
export async function runQueueBatch(
  storage: Storage,
  table: string,
  lockKey: string | undefined,
  statements: readonly QueueStatement[],
): Promise<Record<string, unknown>[][]> {
  if (storage.kind !== 'postgres') {
    throw new SyncbusError('POSTGRES_ONLY', 'runQueueBatch runs on PostgreSQL; use withSqlTransaction.');
  }
  const rows: { part: number; data: Record<string, unknown> }[] = await storage.dataSource.query(
    `SELECT part, data FROM ${batchFunctionName(table)}($1, $2, $3)`,
    [
      lockKey ?? null,
      statements.map((s) => fromJsonbArgument(s.sql, s.params)),
      JSON.stringify(statements.map((s) => s.params)),
    ],
  );
  const parts = statements.map((): Record<string, unknown>[] => []);
  for (const { part, data } of rows) parts[part].push(data);
  return parts;
}

function batchFunctionName(table: string): string {
  if (!/^[a-z_][a-z0-9_]{0,56}$/.test(table)) throw new Error(`'${table}' is not a plain SQL identifier`);
  return `${table}_batch`;
}

/** `sql` with its n-th `?` read from the jsonb array `$1` at n, cast to the type its value has. */
function fromJsonbArgument(sql: string, params: readonly unknown[]): string {
  let n = 0;
  const rewritten = sql.replace(/\?/g, () => {
    const index = n++;
    if (index >= params.length)
      throw new Error(`statement has more placeholders than its ${params.length} values`);
    return jsonbAccessor(params[index], index);
  });
  if (n !== params.length) throw new Error(`statement has ${n} placeholders for ${params.length} values`);
  return rewritten;
}

function jsonbAccessor(value: unknown, index: number): string {
  const text = `($1 ->> ${index})`;
  if (value === null || value === undefined) return 'NULL';
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? `CAST(${text} AS bigint)` : `CAST(${text} AS float8)`;
    case 'boolean':
      return `CAST(${text} AS boolean)`;
    case 'string':
      return text;
  }
  if (Array.isArray(value)) {
    const strings = value.length > 0 && value.every((v) => typeof v === 'string');
    return strings
      ? `ARRAY(SELECT jsonb_array_elements_text($1 -> ${index}))`
      : `ARRAY(SELECT CAST(jsonb_array_elements_text($1 -> ${index}) AS bigint))`;
  }
  throw new Error(`a queue statement cannot take a ${typeof value} value`);
}
