// The PostgreSQL trigger through which a synchronization table wakes the workers of every process
// (`QueueWakeups`), for the migration of the module that owns the table.
import type { QueryRunner } from 'typeorm';

/** A synchronization table whose due rows wake workers, on the channel named like the table. */
export interface QueueWakeupTable {
  /** e.g. `staging_synchronization`; also the channel `QueueWakeups.on` listens to. */
  readonly table: string;
  /** Column holding the target id (the payload of each wake-up), e.g. `server_id`. */
  readonly targetColumn: string;
}

/**
 * A migration's `up` and `down` for these tables (PostgreSQL only; on SQLite, one process, they do nothing).
 * After every INSERT or UPDATE statement on a table, one `pg_notify(table, targetId)` per target that now has a pending, unleased,
 * due row: logged tasks, retried rows, leases handed back at a graceful stop. A claim (rows leased) and a
 * postponement (rows due later) wake nobody. Times are the writers' clocks (epoch ms) and the test is the
 * database's, so rows due within a second count as due: a writer's clock a little ahead must not lose the
 * wake-up (a wake-up is a hint; the claim decides). PostgreSQL delivers notifications at commit, so a rolled-back change
 * wakes nobody, and folds identical ones of a transaction into one, so a bulk import sends one per target.
 */
export function queueWakeupTriggers(...tables: readonly QueueWakeupTable[]): {
  up(runner: QueryRunner): Promise<void>;
  down(runner: QueryRunner): Promise<void>;
} {
  const statements = tables.map(triggerStatements);
  const run = async (runner: QueryRunner, which: 'up' | 'down') => {
    if (runner.connection.driver.options.type !== 'postgres') return;
    for (const statement of statements.flatMap((s) => s[which])) await runner.query(statement);
  };
  return { up: (runner) => run(runner, 'up'), down: (runner) => run(runner, 'down') };
}

/** The statements creating and dropping one table's trigger and its function. */
function triggerStatements({ table, targetColumn }: QueueWakeupTable): { up: string[]; down: string[] } {
  for (const name of [table, targetColumn])
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`'${name}' is not a plain SQL identifier`);
  const fn = `${table}_wakeup`;
  const trigger = (event: 'insert' | 'update') =>
    `CREATE TRIGGER TR_${table}_wakeup_${event} AFTER ${event.toUpperCase()} ON ${table}
       REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`;
  return {
    up: [
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('${table}', due.target::text)
           FROM (SELECT DISTINCT ${targetColumn} AS target FROM changed_rows
                  WHERE status = 'pending' AND lease_owner IS NULL
                    AND next_attempt_at <= extract(epoch FROM clock_timestamp()) * 1000 + 1000) due;
         RETURN NULL;
       END $$`,
      trigger('insert'),
      trigger('update'),
    ],
    down: [
      `DROP TRIGGER IF EXISTS TR_${table}_wakeup_insert ON ${table}`,
      `DROP TRIGGER IF EXISTS TR_${table}_wakeup_update ON ${table}`,
      `DROP FUNCTION IF EXISTS ${fn}()`,
    ],
  };
}
