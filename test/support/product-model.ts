// A shop's host model for the change-capture matrix: brands, products (soft-deletable, referencing a brand) and
// their variants (cascaded from the product, orphans deleted). Every write path of test/staging/change-capture.test.ts
// runs against it, on SQLite and PostgreSQL.
import { generatedIdColumn } from '@syncbus/core/internal';
import { SyncObject } from '@syncbus/core';
import {
  Column,
  DeleteDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Table,
  TableForeignKey,
  type MigrationInterface,
  type QueryRunner,
  type Relation,
} from 'typeorm';

/** A brand, synchronized by its code. */
@SyncObject({ type: 'shop.brand', identity: 'code', title: 'name' })
@Entity('brand')
export class Brand {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;
}

/** A product, synchronized by its SKU; references its brand, owns its variants, and can be soft-deleted. */
@SyncObject({ type: 'shop.product', identity: 'sku', title: 'name' })
@Entity('product')
export class Product {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  sku!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'integer', default: 0 })
  stock!: number;

  @Column({ type: 'integer', default: 0 })
  price!: number;

  // No explicit type: TypeORM maps a delete date to `datetime` on SQLite and `timestamp` on PostgreSQL.
  @DeleteDateColumn({ nullable: true })
  deletedAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  brandId!: number | null;

  @ManyToOne(() => Brand, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'brandId' })
  brand?: Relation<Brand> | null;

  @OneToMany(() => ProductVariant, (variant) => variant.product, { cascade: true })
  variants?: Relation<ProductVariant>[];
}

/** A variant of a product, synchronized by its code; deleted with its product, or when removed from its list. */
@SyncObject({ type: 'shop.variant', identity: 'code' })
@Entity('product_variant')
export class ProductVariant {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  label!: string;

  @Column({ type: 'integer' })
  productId!: number;

  @ManyToOne(() => Product, (product) => product.variants, {
    nullable: false,
    onDelete: 'CASCADE',
    orphanedRowAction: 'delete',
  })
  @JoinColumn({ name: 'productId' })
  product?: Relation<Product>;
}

/** Creates brand, product and product_variant on SQLite and PostgreSQL alike. */
export class CreateProductModel1700000000003 implements MigrationInterface {
  name = 'CreateProductModel1700000000003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'brand',
        columns: [
          generatedIdColumn(),
          { name: 'code', type: 'varchar', length: '50', isUnique: true },
          { name: 'name', type: 'varchar', length: '200' },
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'product',
        columns: [
          generatedIdColumn(),
          { name: 'sku', type: 'varchar', length: '50', isUnique: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'stock', type: 'integer', default: 0 },
          { name: 'price', type: 'integer', default: 0 },
          // The engine's own delete-date type, as the entity's @DeleteDateColumn maps it.
          {
            name: 'deletedAt',
            type: String(runner.connection.driver.mappedDataTypes.deleteDate),
            isNullable: true,
          },
          { name: 'brandId', type: 'integer', isNullable: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['brandId'],
            referencedTableName: 'brand',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'product_variant',
        columns: [
          generatedIdColumn(),
          { name: 'code', type: 'varchar', length: '50', isUnique: true },
          { name: 'label', type: 'varchar', length: '200' },
          { name: 'productId', type: 'integer' },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['productId'],
            referencedTableName: 'product',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('product_variant');
    await runner.dropTable('product');
    await runner.dropTable('brand');
  }
}

/** The model's entities and migrations, to pass to `Kernel.boot` (or `startStagingPair({ model })`). */
export const productModel = {
  entities: [Brand, Product, ProductVariant],
  migrations: [CreateProductModel1700000000003],
};
