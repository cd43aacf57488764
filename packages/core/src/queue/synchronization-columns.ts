// The columns every synchronization table has, as a TypeORM migration fragment (works on SQLite and PostgreSQL).
import { TableColumn, TableIndex } from 'typeorm';

/** The generated integer primary key every syncbus table starts with, for `new Table({ columns: [...] })`. */
export function generatedIdColumn(): TableColumn {
  return new TableColumn({
    name: 'id',
    type: 'integer',
    isPrimary: true,
    isGenerated: true,
    generationStrategy: 'increment',
  });
}

/**
 * Columns of a synchronization table, for `queryRunner.createTable(new Table({ name, columns: [...] }))`.
 * Times are epoch milliseconds in `bigint` columns (read them with `Number()`).
 */
export function synchronizationColumns(targetColumn: string): TableColumn[] {
  return [
    generatedIdColumn(),
    new TableColumn({ name: 'task_id', type: 'integer' }),
    new TableColumn({ name: targetColumn, type: 'integer' }),
    new TableColumn({ name: 'object_key', type: 'varchar', length: '400' }),
    new TableColumn({ name: 'status', type: 'varchar', length: '16', default: "'pending'" }),
    new TableColumn({ name: 'attempts', type: 'integer', default: 0 }),
    new TableColumn({ name: 'next_attempt_at', type: 'bigint', default: 0 }),
    new TableColumn({ name: 'last_run_at', type: 'bigint', isNullable: true }),
    new TableColumn({ name: 'last_error', type: 'text', isNullable: true }),
    new TableColumn({ name: 'lease_owner', type: 'varchar', length: '200', isNullable: true }),
    new TableColumn({ name: 'lease_expires_at', type: 'bigint', isNullable: true }),
  ];
}

/** Indexes the claim query needs: by target and object in task order, and by lease owner. */
export function synchronizationIndices(table: string, targetColumn: string): TableIndex[] {
  return [
    new TableIndex({
      name: `IDX_${table}_target_object`,
      columnNames: [targetColumn, 'object_key', 'task_id'],
    }),
    new TableIndex({ name: `IDX_${table}_target_task`, columnNames: [targetColumn, 'status', 'task_id'] }),
    new TableIndex({ name: `IDX_${table}_task`, columnNames: ['task_id'] }),
    new TableIndex({ name: `IDX_${table}_lease`, columnNames: ['lease_owner'] }),
  ];
}
