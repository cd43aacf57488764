// Makes what people see of the staging queue cost the same with a million waiting rows as with a thousand: indexes
// for each filter of the task list in logged order, and per-server totals kept by triggers instead of counted.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Totals per server and status in `staging_queue_count`, changed by triggers in the transaction that changes
 * `staging_synchronization` (so no code path, crash or rollback can make them drift). On PostgreSQL each connection
 * adds to its own row (`shard` = its backend pid): concurrent transactions never wait for, or deadlock on, a shared
 * counter; readers sum the shards. On SQLite (one writer) there is one row, shard 0. A removed server's rows go
 * before it does, leaving zeros that readers skip (no trigger on `staging_server`: TypeORM rebuilds a SQLite table
 * to add a column, dropping its triggers). A later migration that rebuilds `staging_synchronization` on SQLite
 * must create these triggers again; test/staging/staging-queue-totals.test.ts fails if it does not.
 */
export class ScaleStagingQueue1750000000100 implements MigrationInterface {
  name = 'ScaleStagingQueue1750000000100';

  async up(runner: QueryRunner): Promise<void> {
    // The task list pages in logged order (task id, then row id); each index serves one filter in that order.
    await runner.createIndices('staging_synchronization', [
      new TableIndex({
        name: 'IDX_staging_synchronization_target_all',
        columnNames: ['server_id', 'task_id'],
      }),
      new TableIndex({ name: 'IDX_staging_synchronization_status', columnNames: ['status', 'task_id'] }),
    ]);
    await runner.createIndices('staging_task', [
      new TableIndex({ name: 'IDX_staging_task_object_type', columnNames: ['object_type', 'id'] }),
    ]);
    await runner.createTable(
      new Table({
        name: 'staging_queue_count',
        columns: [
          { name: 'server_id', type: 'integer', isPrimary: true },
          { name: 'status', type: 'varchar', length: '16', isPrimary: true },
          { name: 'shard', type: 'integer', isPrimary: true },
          { name: 'row_count', type: 'integer', default: 0 },
        ],
      }),
    );
    if (runner.connection.driver.options.type === 'postgres') await this.postgresTriggers(runner);
    else await this.sqliteTriggers(runner);
    // Rows already waiting: counted once, here, under the migration's lock.
    await runner.query(
      `INSERT INTO staging_queue_count (server_id, status, shard, row_count)
         SELECT server_id, status, 0, COUNT(*) FROM staging_synchronization GROUP BY server_id, status`,
    );
  }

  private async sqliteTriggers(runner: QueryRunner): Promise<void> {
    const add = (row: 'NEW' | 'OLD', delta: 1 | -1) =>
      `INSERT INTO staging_queue_count (server_id, status, shard, row_count) VALUES (${row}.server_id, ${row}.status, 0, ${delta})
         ON CONFLICT (server_id, status, shard) DO UPDATE SET row_count = row_count + ${delta};`;
    await runner.query(
      `CREATE TRIGGER TR_staging_queue_count_insert AFTER INSERT ON staging_synchronization
       BEGIN ${add('NEW', 1)} END`,
    );
    await runner.query(
      `CREATE TRIGGER TR_staging_queue_count_delete AFTER DELETE ON staging_synchronization
       BEGIN ${add('OLD', -1)} END`,
    );
    await runner.query(
      `CREATE TRIGGER TR_staging_queue_count_update AFTER UPDATE OF status, server_id ON staging_synchronization
       WHEN OLD.status IS NOT NEW.status OR OLD.server_id IS NOT NEW.server_id
       BEGIN ${add('OLD', -1)} ${add('NEW', 1)} END`,
    );
  }

  private async postgresTriggers(runner: QueryRunner): Promise<void> {
    const upsert = (select: string) =>
      `INSERT INTO staging_queue_count (server_id, status, shard, row_count) ${select}
         ON CONFLICT (server_id, status, shard) DO UPDATE SET row_count = staging_queue_count.row_count + EXCLUDED.row_count;`;
    // Inserts and deletes: once per statement over its transition table (a batch of 500 completions: one upsert).
    await runner.query(
      `CREATE FUNCTION staging_queue_count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           ${upsert('SELECT server_id, status, pg_backend_pid(), COUNT(*) FROM new_rows GROUP BY server_id, status')}
         ELSE
           ${upsert('SELECT server_id, status, pg_backend_pid(), -COUNT(*) FROM old_rows GROUP BY server_id, status')}
         END IF;
         RETURN NULL;
       END $$`,
    );
    // Status changes are rare (a failure out of attempts, a retry): per row, and only when the status changed.
    await runner.query(
      `CREATE FUNCTION staging_queue_count_row() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         ${upsert('VALUES (OLD.server_id, OLD.status, pg_backend_pid(), -1), (NEW.server_id, NEW.status, pg_backend_pid(), 1)')}
         RETURN NULL;
       END $$`,
    );
    await runner.query(
      `CREATE FUNCTION staging_queue_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN DELETE FROM staging_queue_count; RETURN NULL; END $$`,
    );
    await runner.query(
      `CREATE TRIGGER TR_staging_queue_count_insert AFTER INSERT ON staging_synchronization
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION staging_queue_count_statement()`,
    );
    await runner.query(
      `CREATE TRIGGER TR_staging_queue_count_delete AFTER DELETE ON staging_synchronization
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION staging_queue_count_statement()`,
    );
    await runner.query(
      `CREATE TRIGGER TR_staging_queue_count_update AFTER UPDATE OF status, server_id ON staging_synchronization
       FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.server_id IS DISTINCT FROM NEW.server_id)
       EXECUTE FUNCTION staging_queue_count_row()`,
    );
    await runner.query(
      `CREATE TRIGGER TR_staging_queue_count_truncate AFTER TRUNCATE ON staging_synchronization
       FOR EACH STATEMENT EXECUTE FUNCTION staging_queue_count_truncate()`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type === 'postgres') {
      for (const [trigger, table] of [
        ['insert', 'staging_synchronization'],
        ['delete', 'staging_synchronization'],
        ['update', 'staging_synchronization'],
        ['truncate', 'staging_synchronization'],
      ])
        await runner.query(`DROP TRIGGER IF EXISTS TR_staging_queue_count_${trigger} ON ${table}`);
      for (const fn of ['statement', 'row', 'truncate'])
        await runner.query(`DROP FUNCTION IF EXISTS staging_queue_count_${fn}()`);
    } else {
      for (const trigger of ['insert', 'delete', 'update'])
        await runner.query(`DROP TRIGGER IF EXISTS TR_staging_queue_count_${trigger}`);
    }
    await runner.dropTable('staging_queue_count');
    await runner.dropIndex('staging_task', 'IDX_staging_task_object_type');
    await runner.dropIndex('staging_synchronization', 'IDX_staging_synchronization_status');
    await runner.dropIndex('staging_synchronization', 'IDX_staging_synchronization_target_all');
  }
}
