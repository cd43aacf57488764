// `database.synchronize: true` (for tests and prototypes) and migrations (for production) must give every module the
// same tables, columns and triggers (a table only a migration created once made incoming tasks fail with SQLITE_ERROR
// under synchronize); synchronize also makes the host's own entities that have no migration.
import { createLogger, Kernel, Storage } from '@syncbus/core';
import { AdminModule } from '@syncbus/admin';
import { IntegrationModule } from '@syncbus/integration';
import { ServerModule } from '@syncbus/server';
import { StagingModule } from '@syncbus/staging';
import { SampleContentModelModule } from '@syncbus/sample-content-model';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { tempSqliteUrl } from '../support/temp-sqlite';

/** A host's entity with no migration, as a prototype has. */
@Entity('prototype_note')
class PrototypeNote {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  text!: string;
}

/** Every table of the booted node's database with its column names, sorted. */
async function schemaOf(synchronize: boolean): Promise<Record<string, string[]>> {
  const kernel = await Kernel.boot({
    config: {
      database: { url: tempSqliteUrl(synchronize ? 'schema-sync' : 'schema-migrated'), synchronize },
    },
    modules: [StagingModule, IntegrationModule, ServerModule, AdminModule, SampleContentModelModule],
    entities: synchronize ? [PrototypeNote] : [],
    logger: createLogger({ level: 'silent' }),
  });
  try {
    const storage = kernel.get(Storage);
    const tables = await storage.dataSource.query(
      `SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name NOT LIKE 'sqlite_%'`,
    );
    const schema: Record<string, string[]> = {};
    for (const { type, name } of tables as { type: string; name: string }[]) {
      if (type === 'trigger') {
        schema[`trigger ${name}`] = [];
        continue;
      }
      const columns = (await storage.dataSource.query(`PRAGMA table_info("${name}")`)) as { name: string }[];
      schema[name] = columns.map((c) => c.name).sort();
    }
    return schema;
  } finally {
    await kernel.stop();
  }
}

describe('the schema under synchronize and under migrations', () => {
  it('has the same tables with the same columns for every module a CLI node loads', async () => {
    const migrated = await schemaOf(false);
    const synchronized = await schemaOf(true);
    expect(Object.keys(migrated)).toEqual(
      expect.arrayContaining([
        'integration_received_task',
        'staging_queue_count',
        'trigger TR_staging_queue_count_insert',
      ]),
    );
    const { prototype_note: note, ...modules } = synchronized;
    expect(modules).toEqual(migrated);
    expect(note).toEqual(['id', 'text']);
  });
});
