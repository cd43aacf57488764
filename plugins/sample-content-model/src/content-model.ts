// The demo's content model: categories, and articles that reference them. The entities and the migration that
// creates their tables are all a model package holds.
import { SyncObject } from '@syncbus/core';
import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Table,
  TableForeignKey,
  type MigrationInterface,
  type QueryRunner,
  type Relation,
} from 'typeorm';

/** A sample category, synchronized by its code name. */
@SyncObject({ type: 'cms.category', identity: 'code', title: 'name' })
@Entity('category')
export class Category {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;
}

/** A sample article, synchronized by its GUID; references its category. */
@SyncObject({ type: 'cms.article', identity: 'guid', title: 'title' })
@Entity('article')
export class Article {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 36, unique: true })
  guid!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Column({ type: 'text', default: '' })
  body!: string;

  @Column({ type: 'integer', default: 0 })
  views!: number;

  @Column({ type: 'integer', nullable: true })
  categoryId!: number | null;

  @ManyToOne(() => Category, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'categoryId' })
  category?: Relation<Category> | null;
}

/** Creates the sample model's tables on SQLite and PostgreSQL alike. */
export class CreateContentModel1700000000001 implements MigrationInterface {
  name = 'CreateContentModel1700000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'category',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'code', type: 'varchar', length: '100', isUnique: true },
          { name: 'name', type: 'varchar', length: '200' },
        ],
      }),
    );
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
          { name: 'body', type: 'text', default: "''" },
          { name: 'views', type: 'integer', default: 0 },
          { name: 'categoryId', type: 'integer', isNullable: true },
        ],
      }),
    );
    await runner.createForeignKey(
      'article',
      new TableForeignKey({
        columnNames: ['categoryId'],
        referencedTableName: 'category',
        referencedColumnNames: ['id'],
        onDelete: 'SET NULL',
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('article');
    await runner.dropTable('category');
  }
}

/** The sample model's entities and migrations, to pass to `Kernel.boot`. */
export const sampleContentModel = {
  entities: [Category, Article],
  migrations: [CreateContentModel1700000000001],
};
