// The host entity of the benchmark: an article staged as `bench.article`, on the source and the target.
import { SyncObject } from '@syncbus/core';
import {
  Column,
  Entity,
  PrimaryGeneratedColumn,
  Table,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { BENCH_OBJECT_TYPE } from '../peers/bench-payloads';

/** A staged article; `guid` identifies it on every node. */
@SyncObject({ type: BENCH_OBJECT_TYPE, identity: 'guid', title: 'title' })
@Entity('article')
export class BenchArticle {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 36, unique: true })
  guid!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'integer' })
  views!: number;
}

/** Creates the article table on SQLite and PostgreSQL. */
export class CreateBenchArticle1700000000900 implements MigrationInterface {
  name = 'CreateBenchArticle1700000000900';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'article',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'guid', type: 'varchar', length: '36', isUnique: true },
          { name: 'title', type: 'varchar', length: '300' },
          { name: 'body', type: 'text' },
          { name: 'views', type: 'integer' },
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('article');
  }
}

/** Entities and migrations to pass to `Kernel.boot`. */
export const benchModel = { entities: [BenchArticle], migrations: [CreateBenchArticle1700000000900] };
