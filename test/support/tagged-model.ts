// A host model with a many-to-many relation between synchronized types: posts linked to tags (join table post_tag).
import { generatedIdColumn } from '@syncbus/core/internal';
import { SyncObject } from '@syncbus/core';
import {
  Column,
  Entity,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  Table,
  TableForeignKey,
  type MigrationInterface,
  type QueryRunner,
  type Relation,
} from 'typeorm';

/** A tag, synchronized by its code. */
@SyncObject({ type: 'blog.tag', identity: 'code' })
@Entity('tag')
export class Tag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;
}

/** A post, synchronized by its slug; its tags travel as a list of references. */
@SyncObject({ type: 'blog.post', identity: 'slug', title: 'title' })
@Entity('post')
export class Post {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  slug!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @ManyToMany(() => Tag, { cascade: ['insert'] })
  @JoinTable({ name: 'post_tag', joinColumn: { name: 'postId' }, inverseJoinColumn: { name: 'tagId' } })
  tags?: Relation<Tag>[];
}

/** Creates tag, post and post_tag on SQLite and PostgreSQL alike. */
export class CreateTaggedModel1700000000002 implements MigrationInterface {
  name = 'CreateTaggedModel1700000000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'tag',
        columns: [generatedIdColumn(), { name: 'code', type: 'varchar', length: '50', isUnique: true }],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'post',
        columns: [
          generatedIdColumn(),
          { name: 'slug', type: 'varchar', length: '50', isUnique: true },
          { name: 'title', type: 'varchar', length: '200' },
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'post_tag',
        columns: [
          { name: 'postId', type: 'integer', isPrimary: true },
          { name: 'tagId', type: 'integer', isPrimary: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['postId'],
            referencedTableName: 'post',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            columnNames: ['tagId'],
            referencedTableName: 'tag',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('post_tag');
    await runner.dropTable('post');
    await runner.dropTable('tag');
  }
}

/** The model's entities and migrations, to pass to `Kernel.boot`. */
export const taggedModel = {
  entities: [Tag, Post],
  migrations: [CreateTaggedModel1700000000002],
};
