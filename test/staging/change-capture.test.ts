// The change-capture matrix: every TypeORM write path on a @SyncObject entity (repository, manager, transaction and
// query builder; by id, ids and criteria; soft deletes, upserts, cascades, orphans) logs its tasks in the write's
// transaction, so delivering to a real target over HTTP leaves the target's rows equal to the source's. A
// rolled-back transaction logs nothing. Raw SQL is not captured (docs/change-capture.md): the host logs it itself.
// Runs with the source on SQLite and on PostgreSQL; the target is a SQLite node, as in the other staging tests.
import { isDeepStrictEqual } from 'node:util';
import { createLogger, Kernel, ObjectChanges, Storage } from '@syncbus/core';
import {
  StagingModule,
  StagingSynchronization,
  StagingTask,
  StagingTaskRunner,
  SynchronizationInfoProvider,
} from '@syncbus/staging';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { STAGING_AUTOSYNC_PLUGIN, TEST_STAGING } from '../autosync/autosync-nodes';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { Brand, Product, ProductVariant, productModel } from '../support/product-model';
import {
  bootStagingNode,
  createTestSecret,
  resetPostgresSchema,
  startStagingPair,
  type StagingPair,
} from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { until } from '../support/until';

type Engine = 'sqlite' | 'postgres';

/** A product as both nodes must agree on it: content only, no local ids. */
interface ProductRow {
  readonly sku: string;
  readonly name: string;
  readonly stock: number;
  readonly price: number;
  readonly deleted: boolean;
  readonly brand: string | null;
}

/** A node's synchronized content: brands, products (soft-deleted ones included) and variants, by identity. */
interface Content {
  readonly brands: { code: string; name: string }[];
  readonly products: ProductRow[];
  readonly variants: { code: string; label: string; product: string | null }[];
}

const byKey =
  <T>(key: (row: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** Reads a node's content. Sorted in JS: the engines' collations order text differently. */
async function contentOf(dataSource: DataSource | EntityManager): Promise<Content> {
  const brands = await dataSource.getRepository(Brand).find();
  const products = await dataSource.getRepository(Product).find({ withDeleted: true });
  const variants = await dataSource.getRepository(ProductVariant).find();
  const brandCode = new Map(brands.map((b) => [b.id, b.code] as const));
  const productSku = new Map(products.map((p) => [p.id, p.sku] as const));
  return {
    brands: brands.map((b) => ({ code: b.code, name: b.name })).sort(byKey((b) => b.code)),
    products: products
      .map((p) => ({
        sku: p.sku,
        name: p.name,
        stock: p.stock,
        price: p.price,
        deleted: p.deletedAt !== null,
        brand: p.brandId === null ? null : (brandCode.get(p.brandId) ?? `<missing brand ${p.brandId}>`),
      }))
      .sort(byKey((p) => p.sku)),
    variants: variants
      .map((v) => ({
        code: v.code,
        label: v.label,
        product: productSku.get(v.productId) ?? `<missing product ${v.productId}>`,
      }))
      .sort(byKey((v) => v.code)),
  };
}

/** What a case's call sees: the source's DataSource, its product repository, and the seeded objects. */
interface CaseContext {
  readonly dataSource: DataSource;
  readonly products: Repository<Product>;
  readonly brands: Readonly<Record<'acme' | 'globex', Brand>>;
  /** Seeded products by SKU (with their local ids). */
  readonly seeded: Readonly<Record<string, Product>>;
}

/** One host call of the matrix. */
interface CaptureCase {
  readonly name: string;
  /** Extra state made (with save) and delivered before the call. */
  readonly prepare?: (ctx: CaseContext) => Promise<unknown>;
  /** The host call under test. */
  readonly act: (ctx: CaseContext) => Promise<unknown>;
  /** What the call did on the source: guards the comparison against a call that changed nothing. */
  readonly check: (source: SourceView) => void;
}

/** The source's content after the call, by identity. */
interface SourceView {
  readonly product: (sku: string) => ProductRow | undefined;
  readonly variants: (sku: string) => string[];
}

function viewOf(content: Content): SourceView {
  return {
    product: (sku) => content.products.find((p) => p.sku === sku),
    variants: (sku) => content.variants.filter((v) => v.product === sku).map((v) => v.code),
  };
}

const SOFT_DELETED_AT = new Date('2024-01-02T03:04:05.000Z');

/** Brands acme and globex; products p-1..p-4 (p-2 and p-3 out of stock) and p-5, soft-deleted. All by save(). */
async function seed(dataSource: DataSource): Promise<Omit<CaseContext, 'dataSource' | 'products'>> {
  const [acme, globex] = await dataSource.getRepository(Brand).save([
    { code: 'acme', name: 'Acme' },
    { code: 'globex', name: 'Globex' },
  ]);
  const products = dataSource.getRepository(Product);
  const rows = [
    { sku: 'p-1', name: 'Kettle', stock: 10, price: 30, brand: acme },
    { sku: 'p-2', name: 'Toaster', stock: 0, price: 40, brand: acme },
    { sku: 'p-3', name: 'Blender', stock: 0, price: 50, brand: globex },
    { sku: 'p-4', name: 'Mixer', stock: 5, price: 60, brand: null },
    { sku: 'p-5', name: 'Old grill', stock: 1, price: 70, brand: globex, deletedAt: SOFT_DELETED_AT },
  ];
  const seeded: Record<string, Product> = {};
  for (const row of rows) seeded[row.sku] = await products.save(products.create(row));
  return { brands: { acme, globex }, seeded };
}

const id = (ctx: CaseContext, sku: string) => ctx.seeded[sku].id;

/** Every host call of the matrix, each with what it must have done on the source. */
const cases: CaptureCase[] = [
  // Repository: save and remove (TypeORM's subscriber events).
  {
    name: 'repository.save (create)',
    act: ({ products, brands }) =>
      products.save(
        products.create({ sku: 'p-new', name: 'Grinder', stock: 2, price: 25, brand: brands.acme }),
      ),
    check: (s) => expect(s.product('p-new')).toMatchObject({ name: 'Grinder', brand: 'acme' }),
  },
  {
    name: 'repository.save (update)',
    act: async ({ products }) => {
      const kettle = await products.findOneByOrFail({ sku: 'p-1' });
      kettle.name = 'Kettle XL';
      kettle.stock = 11;
      await products.save(kettle);
    },
    check: (s) => expect(s.product('p-1')).toMatchObject({ name: 'Kettle XL', stock: 11 }),
  },
  {
    name: 'repository.remove',
    act: async ({ products }) => products.remove(await products.findOneByOrFail({ sku: 'p-2' })),
    check: (s) => expect(s.product('p-2')).toBeUndefined(),
  },
  // Repository: insert.
  {
    name: 'repository.insert(one object)',
    act: ({ products, brands }) =>
      products.insert({ sku: 'p-6', name: 'Fryer', stock: 3, price: 80, brandId: brands.acme.id }),
    check: (s) => expect(s.product('p-6')).toMatchObject({ name: 'Fryer', stock: 3, brand: 'acme' }),
  },
  {
    name: 'repository.insert([3 objects])',
    act: ({ products, brands }) =>
      products.insert([
        { sku: 'p-7', name: 'Juicer', stock: 1, price: 90 },
        { sku: 'p-8', name: 'Waffle iron', stock: 2, price: 91, brand: { id: brands.globex.id } },
        { sku: 'p-9', name: 'Scale', price: 92 },
      ]),
    check: (s) => {
      expect(s.product('p-7')).toMatchObject({ name: 'Juicer', brand: null });
      expect(s.product('p-8')).toMatchObject({ name: 'Waffle iron', brand: 'globex' });
      expect(s.product('p-9')).toMatchObject({ name: 'Scale', stock: 0 });
    },
  },
  // Repository: update, increment, decrement, upsert.
  {
    name: 'repository.update({ sku }, values)',
    act: ({ products }) => products.update({ sku: 'p-1' }, { name: 'Kettle 2', price: 35 }),
    check: (s) => expect(s.product('p-1')).toMatchObject({ name: 'Kettle 2', price: 35, stock: 10 }),
  },
  {
    name: 'repository.update(id, values)',
    act: (ctx) => ctx.products.update(id(ctx, 'p-4'), { name: 'Mixer Pro', stock: 6 }),
    check: (s) => expect(s.product('p-4')).toMatchObject({ name: 'Mixer Pro', stock: 6 }),
  },
  {
    name: 'repository.update({ stock: 0 }, { price: 9 }) touching several rows',
    act: ({ products }) => products.update({ stock: 0 }, { price: 9 }),
    check: (s) => {
      expect([s.product('p-2')?.price, s.product('p-3')?.price]).toEqual([9, 9]);
      expect(s.product('p-1')?.price).toBe(30);
    },
  },
  {
    name: "repository.increment({ sku }, 'stock', 5)",
    act: ({ products }) => products.increment({ sku: 'p-1' }, 'stock', 5),
    check: (s) => expect(s.product('p-1')?.stock).toBe(15),
  },
  {
    name: "repository.decrement({ sku }, 'stock', 2)",
    act: ({ products }) => products.decrement({ sku: 'p-4' }, 'stock', 2),
    check: (s) => expect(s.product('p-4')?.stock).toBe(3),
  },
  {
    name: "repository.upsert([existing, new], ['sku'])",
    act: ({ products }) =>
      products.upsert(
        [
          { sku: 'p-1', name: 'Kettle (upserted)', stock: 12, price: 31 },
          { sku: 'p-new', name: 'Grinder', stock: 1, price: 5 },
        ],
        ['sku'],
      ),
    check: (s) => {
      expect(s.product('p-1')).toMatchObject({
        name: 'Kettle (upserted)',
        stock: 12,
        price: 31,
        brand: 'acme',
      });
      expect(s.product('p-new')).toMatchObject({ name: 'Grinder', stock: 1, price: 5 });
    },
  },
  // Repository: delete.
  {
    name: 'repository.delete({ sku })',
    act: ({ products }) => products.delete({ sku: 'p-3' }),
    check: (s) => expect(s.product('p-3')).toBeUndefined(),
  },
  {
    name: 'repository.delete(id)',
    act: (ctx) => ctx.products.delete(id(ctx, 'p-4')),
    check: (s) => expect(s.product('p-4')).toBeUndefined(),
  },
  {
    name: 'repository.delete([id1, id2])',
    act: (ctx) => ctx.products.delete([id(ctx, 'p-1'), id(ctx, 'p-2')]),
    check: (s) =>
      expect([s.product('p-1'), s.product('p-2'), s.product('p-3')?.sku]).toEqual([
        undefined,
        undefined,
        'p-3',
      ]),
  },
  // Repository: soft deletes.
  {
    name: 'repository.softDelete({ sku })',
    act: ({ products }) => products.softDelete({ sku: 'p-1' }),
    check: (s) => expect(s.product('p-1')).toMatchObject({ deleted: true, name: 'Kettle' }),
  },
  {
    name: 'repository.restore({ sku })',
    act: ({ products }) => products.restore({ sku: 'p-5' }),
    check: (s) => expect(s.product('p-5')).toMatchObject({ deleted: false, name: 'Old grill' }),
  },
  {
    name: 'repository.softRemove(entity)',
    act: async ({ products }) => products.softRemove(await products.findOneByOrFail({ sku: 'p-2' })),
    check: (s) => expect(s.product('p-2')).toMatchObject({ deleted: true }),
  },
  {
    name: 'repository.recover(entity)',
    act: async ({ products }) =>
      products.recover(await products.findOneOrFail({ where: { sku: 'p-5' }, withDeleted: true })),
    check: (s) => expect(s.product('p-5')).toMatchObject({ deleted: false }),
  },
  // An explicit transaction's manager.
  {
    name: 'dataSource.transaction(m => m.delete(Product, { sku }))',
    act: ({ dataSource }) => dataSource.transaction((m) => m.delete(Product, { sku: 'p-2' })),
    check: (s) => expect(s.product('p-2')).toBeUndefined(),
  },
  {
    name: 'dataSource.transaction(m => m.update(Product, { sku }, values))',
    act: ({ dataSource }) =>
      dataSource.transaction((m) => m.update(Product, { sku: 'p-3' }, { name: 'Blender 2', stock: 4 })),
    check: (s) => expect(s.product('p-3')).toMatchObject({ name: 'Blender 2', stock: 4 }),
  },
  {
    name: 'dataSource.transaction(m => m.insert(Product, values))',
    act: ({ dataSource, brands }) =>
      dataSource.transaction((m) =>
        m.insert(Product, {
          sku: 'p-10',
          name: 'Rice cooker',
          stock: 4,
          price: 99,
          brandId: brands.globex.id,
        }),
      ),
    check: (s) => expect(s.product('p-10')).toMatchObject({ name: 'Rice cooker', brand: 'globex' }),
  },
  {
    name: "dataSource.transaction(m => m.increment(Product, { sku }, 'stock', 7))",
    act: ({ dataSource }) => dataSource.transaction((m) => m.increment(Product, { sku: 'p-3' }, 'stock', 7)),
    check: (s) => expect(s.product('p-3')?.stock).toBe(7),
  },
  {
    name: 'dataSource.transaction with several calls (insert, update, increment, softDelete, delete)',
    act: ({ dataSource }) =>
      dataSource.transaction(async (m) => {
        await m.insert(Product, { sku: 'p-11', name: 'Steamer', stock: 1, price: 12 });
        await m.update(Product, { sku: 'p-11' }, { name: 'Steamer Plus' });
        await m.increment(Product, { sku: 'p-4' }, 'stock', 1);
        await m.softDelete(Product, { sku: 'p-3' });
        await m.delete(Product, { sku: 'p-2' });
      }),
    check: (s) => {
      expect(s.product('p-11')).toMatchObject({ name: 'Steamer Plus' });
      expect(s.product('p-4')?.stock).toBe(6);
      expect(s.product('p-3')?.deleted).toBe(true);
      expect(s.product('p-2')).toBeUndefined();
    },
  },
  // dataSource.manager, outside an explicit transaction.
  {
    name: 'dataSource.manager.update(Product, { sku }, values)',
    act: ({ dataSource }) => dataSource.manager.update(Product, { sku: 'p-1' }, { price: 33 }),
    check: (s) => expect(s.product('p-1')?.price).toBe(33),
  },
  {
    name: 'dataSource.manager.delete(Product, { sku })',
    act: ({ dataSource }) => dataSource.manager.delete(Product, { sku: 'p-1' }),
    check: (s) => expect(s.product('p-1')).toBeUndefined(),
  },
  {
    name: 'dataSource.manager.insert(Product, values)',
    act: ({ dataSource }) =>
      dataSource.manager.insert(Product, { sku: 'p-12', name: 'Wok', stock: 8, price: 20 }),
    check: (s) => expect(s.product('p-12')).toMatchObject({ name: 'Wok', stock: 8 }),
  },
  // The query builder.
  {
    name: 'createQueryBuilder().update(Product).set(...).where(sku).execute()',
    act: ({ dataSource }) =>
      dataSource
        .createQueryBuilder()
        .update(Product)
        .set({ name: 'Toaster (QB)', price: 41 })
        .where('sku = :sku', { sku: 'p-2' })
        .execute(),
    check: (s) => expect(s.product('p-2')).toMatchObject({ name: 'Toaster (QB)', price: 41 }),
  },
  {
    name: 'createQueryBuilder().delete().from(Product).where(sku).execute()',
    act: ({ dataSource }) =>
      dataSource.createQueryBuilder().delete().from(Product).where('sku = :sku', { sku: 'p-2' }).execute(),
    check: (s) => expect(s.product('p-2')).toBeUndefined(),
  },
  {
    name: 'createQueryBuilder().insert().into(Product).values([...]).execute()',
    act: ({ dataSource, brands }) =>
      dataSource
        .createQueryBuilder()
        .insert()
        .into(Product)
        .values([
          { sku: 'p-13', name: 'Egg timer', stock: 3, price: 4 },
          { sku: 'p-14', name: 'Peeler', stock: 9, price: 2, brandId: brands.acme.id },
        ])
        .execute(),
    check: (s) => {
      expect(s.product('p-13')).toMatchObject({ name: 'Egg timer', brand: null });
      expect(s.product('p-14')).toMatchObject({ name: 'Peeler', brand: 'acme' });
    },
  },
  {
    name: 'createQueryBuilder().softDelete().from(Product).where(sku).execute()',
    act: ({ dataSource }) =>
      dataSource
        .createQueryBuilder()
        .softDelete()
        .from(Product)
        .where('sku = :sku', { sku: 'p-3' })
        .execute(),
    check: (s) => expect(s.product('p-3')).toMatchObject({ deleted: true }),
  },
  {
    name: 'createQueryBuilder().restore().from(Product).where(sku).execute()',
    act: ({ dataSource }) =>
      dataSource.createQueryBuilder().restore().from(Product).where('sku = :sku', { sku: 'p-5' }).execute(),
    check: (s) => expect(s.product('p-5')).toMatchObject({ deleted: false }),
  },
  // A changed reference travels by identity.
  {
    name: 'repository.update({ sku }, { brand: { id: otherBrandId } })',
    act: ({ products, brands }) => products.update({ sku: 'p-1' }, { brand: { id: brands.globex.id } }),
    check: (s) => expect(s.product('p-1')?.brand).toBe('globex'),
  },
  {
    name: 'repository.update({ sku }, { brandId: x })',
    act: ({ products, brands }) => products.update({ sku: 'p-4' }, { brandId: brands.acme.id }),
    check: (s) => expect(s.product('p-4')?.brand).toBe('acme'),
  },
  {
    name: 'repository.update({ sku }, { brandId: null })',
    act: ({ products }) => products.update({ sku: 'p-3' }, { brandId: null }),
    check: (s) => expect(s.product('p-3')?.brand).toBeNull(),
  },
  // Cascades and orphans.
  {
    name: 'cascade: save a new product with new variants',
    act: ({ products }) =>
      products.save(
        products.create({
          sku: 'p-new',
          name: 'Grinder',
          variants: [
            { code: 'v-red', label: 'Red' },
            { code: 'v-blue', label: 'Blue' },
          ],
        }),
      ),
    check: (s) => expect(s.variants('p-new').sort()).toEqual(['v-blue', 'v-red']),
  },
  {
    name: 'cascade: save an existing product with a variant added',
    act: async ({ products }) => {
      const kettle = await products.findOneOrFail({ where: { sku: 'p-1' }, relations: { variants: true } });
      kettle.variants = [
        ...(kettle.variants ?? []),
        Object.assign(new ProductVariant(), { code: 'v-steel', label: 'Steel' }),
      ];
      await products.save(kettle);
    },
    check: (s) => expect(s.variants('p-1')).toEqual(['v-steel']),
  },
  {
    name: "orphanedRowAction 'delete': a variant removed from the array and saved",
    prepare: ({ products }) =>
      products.save(
        products.create({
          sku: 'p-new',
          name: 'Grinder',
          variants: [
            { code: 'v-red', label: 'Red' },
            { code: 'v-blue', label: 'Blue' },
          ],
        }),
      ),
    act: async ({ products }) => {
      const grinder = await products.findOneOrFail({
        where: { sku: 'p-new' },
        relations: { variants: true },
      });
      grinder.variants = grinder.variants!.filter((v) => v.code !== 'v-red');
      await products.save(grinder);
    },
    check: (s) => expect(s.variants('p-new')).toEqual(['v-blue']),
  },
  {
    name: 'repository.remove of a product with variants (ON DELETE CASCADE in the database)',
    prepare: ({ products }) =>
      products.save(
        products.create({ sku: 'p-new', name: 'Grinder', variants: [{ code: 'v-red', label: 'Red' }] }),
      ),
    act: async ({ products }) => products.remove(await products.findOneByOrFail({ sku: 'p-new' })),
    check: (s) => {
      expect(s.product('p-new')).toBeUndefined();
      expect(s.variants('p-new')).toEqual([]);
    },
  },
];

/** Calls made inside a transaction the host then rolls back: none may leave a task behind. */
const rolledBack: { name: string; act: (m: EntityManager, ctx: CaseContext) => Promise<unknown> }[] = [
  { name: 'insert', act: (m) => m.insert(Product, { sku: 'p-rb', name: 'Rolled back', price: 1 }) },
  { name: 'update', act: (m) => m.update(Product, { sku: 'p-1' }, { name: 'Rolled back' }) },
  { name: 'update by criteria of several rows', act: (m) => m.update(Product, { stock: 0 }, { price: 1 }) },
  { name: 'delete', act: (m) => m.delete(Product, { sku: 'p-2' }) },
  { name: 'increment', act: (m) => m.increment(Product, { sku: 'p-1' }, 'stock', 3) },
  { name: 'softDelete', act: (m) => m.softDelete(Product, { sku: 'p-3' }) },
  { name: 'restore', act: (m) => m.restore(Product, { sku: 'p-5' }) },
  {
    name: 'query-builder update',
    act: (m) =>
      m.createQueryBuilder().update(Product).set({ price: 2 }).where('sku = :sku', { sku: 'p-4' }).execute(),
  },
  { name: 'save', act: (m) => m.save(Product, { sku: 'p-rb-saved', name: 'Rolled back' }) },
  { name: 'remove', act: async (m) => m.remove(await m.findOneByOrFail(Product, { sku: 'p-4' })) },
];

describeEachEngine<Engine>(['sqlite', 'postgres'])(
  'change capture of every write path (source on %s)',
  (engine) => {
    let database: TestDatabase | undefined;
    let pair: StagingPair | undefined;
    const timeout = engine === 'postgres' ? 60_000 : 30_000;

    beforeAll(async () => {
      if (engine === 'postgres') {
        database = await requireTestDatabase('change_capture');
      }
    });
    afterAll(() => database?.drop());
    afterEach(async () => {
      await pair?.stop();
      pair = undefined;
    });

    /** A source (SQLite file or the suite's PostgreSQL database, emptied) staging to a SQLite target over HTTP. */
    const start = async (): Promise<StagingPair> => {
      if (database) await resetPostgresSchema(database.url);
      pair = await startStagingPair({ sourceDatabaseUrl: database?.url, model: productModel });
      return pair;
    };
    const pendingOf = (p: StagingPair) =>
      p.source.kernel.get(SynchronizationInfoProvider).getSynchronizations({ serverId: p.server.id });

    /**
     * Delivers everything pending to the target over HTTP, until nothing is pending (bounded); a task the target
     * refuses fails the test with the target's answer. Returns how many tasks the target applied.
     */
    const deliver = async (p: StagingPair, timeoutMs = 20_000): Promise<number> => {
      const runner = new StagingTaskRunner(p.server.id, { get: (key) => p.source.kernel.get(key) });
      let applied = 0;
      await until(
        async () => {
          const run = await runner.runSynchronization();
          applied += run.applied;
          const left = await pendingOf(p);
          if (left.length === 0) return true;
          const refused = left.filter((row) => row.lastError);
          if (run.failed > 0 || run.error || refused.length > 0) {
            throw new Error(
              `delivery to the target failed (${JSON.stringify(run)}): ` +
                refused.map((row) => `${row.objectKey}: ${row.lastError}`).join('; '),
            );
          }
          return false;
        },
        'every pending task to be delivered',
        timeoutMs,
      );
      return applied;
    };

    /** The target's content equals the source's. */
    const expectTargetEqualsSource = async (p: StagingPair) => {
      const source = await contentOf(p.source.storage.dataSource);
      expect(await contentOf(p.target.storage.dataSource)).toEqual(source);
      return source;
    };

    /** A started pair with the seed delivered, and what the cases get. */
    const seeded = async (): Promise<{ p: StagingPair; ctx: CaseContext }> => {
      const p = await start();
      const dataSource = p.source.storage.dataSource;
      const ctx = { dataSource, products: dataSource.getRepository(Product), ...(await seed(dataSource)) };
      await deliver(p);
      const content = await expectTargetEqualsSource(p);
      expect(content.products.map((row) => [row.sku, row.deleted])).toEqual([
        ['p-1', false],
        ['p-2', false],
        ['p-3', false],
        ['p-4', false],
        ['p-5', true],
      ]);
      return { p, ctx };
    };

    it.each(cases)(
      '$name reaches the target',
      async ({ prepare, act, check }) => {
        const { p, ctx } = await seeded();
        if (prepare) {
          await prepare(ctx);
          await deliver(p);
          await expectTargetEqualsSource(p);
        }
        await act(ctx);
        check(viewOf(await contentOf(ctx.dataSource)));
        await deliver(p);
        await expectTargetEqualsSource(p);
      },
      timeout,
    );

    it(
      'a criteria update of 1,000 rows in one call delivers 1,000 updates',
      async () => {
        const { p, ctx } = await seeded();
        // 1,000 products at price 0 (the default), inserted 100 to a call; the seed's prices are all above 0.
        for (let chunk = 0; chunk < 10; chunk++) {
          await ctx.products.insert(
            Array.from({ length: 100 }, (_, i) => {
              const n = chunk * 100 + i;
              return { sku: `bulk-${String(n).padStart(4, '0')}`, name: `Bulk ${n}`, stock: n % 7 };
            }),
          );
        }
        expect(await deliver(p, 60_000)).toBe(1000);
        await expectTargetEqualsSource(p);

        await ctx.products.update({ price: 0 }, { price: 1 });
        expect(await ctx.products.countBy({ price: 1 })).toBe(1000);
        expect(await deliver(p, 60_000)).toBe(1000);
        const onTarget = p.target.storage.dataSource.getRepository(Product);
        expect(await onTarget.countBy({ price: 1 })).toBe(1000);
        expect(await onTarget.countBy({ price: 0 })).toBe(0);
        await expectTargetEqualsSource(p);
      },
      engine === 'postgres' ? 180_000 : 120_000,
    );

    describe('a rolled-back transaction logs nothing', () => {
      const counts = async (dataSource: DataSource | EntityManager) => ({
        tasks: await dataSource.getRepository(StagingTask).count(),
        synchronizations: await dataSource.getRepository(StagingSynchronization).count(),
      });

      const expectRolledBack = async (
        p: StagingPair,
        ctx: CaseContext,
        calls: (m: EntityManager) => Promise<unknown>,
      ) => {
        const before = { counts: await counts(ctx.dataSource), content: await contentOf(ctx.dataSource) };
        await expect(
          ctx.dataSource.transaction(async (m) => {
            await calls(m);
            // Inside the transaction the calls took effect and were captured (else this test would prove nothing).
            expect(await contentOf(m)).not.toEqual(before.content);
            expect((await counts(m)).tasks).toBeGreaterThan(before.counts.tasks);
            throw new Error('the host rolls back');
          }),
        ).rejects.toThrow('the host rolls back');
        expect(await counts(ctx.dataSource)).toEqual(before.counts);
        expect(await contentOf(ctx.dataSource)).toEqual(before.content);
        // Nothing to deliver, and the target still equals the source.
        await deliver(p);
        await expectTargetEqualsSource(p);
      };

      it.each(rolledBack)(
        '$name',
        async ({ act }) => {
          const { p, ctx } = await seeded();
          await expectRolledBack(p, ctx, (m) => act(m, ctx));
        },
        timeout,
      );

      it(
        'every kind of call in one transaction',
        async () => {
          const { p, ctx } = await seeded();
          await expectRolledBack(p, ctx, async (m) => {
            for (const { act } of rolledBack) await act(m, ctx);
          });
        },
        timeout,
      );
    });

    // Documented as not captured (docs/change-capture.md): the host logs the change itself, in the same transaction.
    it(
      'raw SQL logs nothing; logObjectChange in the same transaction delivers it',
      async () => {
        const { p, ctx } = await seeded();
        const tasks = () => ctx.dataSource.getRepository(StagingTask).count();
        const before = await tasks();
        await ctx.dataSource.query("UPDATE product SET price = price + 1 WHERE sku = 'p-1'");
        expect(await tasks()).toBe(before);

        const changes = p.source.kernel.get(ObjectChanges);
        await ctx.dataSource.transaction(async (manager) => {
          await manager.query("UPDATE product SET price = price + 1 WHERE sku = 'p-1'");
          const kettle = await manager.findOneOrFail(Product, {
            where: { sku: 'p-1' },
            relations: { brand: true },
          });
          await changes.logObjectChange(kettle, 'update', { manager });
        });
        expect(viewOf(await contentOf(ctx.dataSource)).product('p-1')?.price).toBe(32);
        await deliver(p);
        await expectTargetEqualsSource(p);
      },
      timeout,
    );
  },
);

/** Calls that must reach the target through the auto-sync plugin alone, with no delivery call. */
const autoSynced: { name: string; act: (ctx: CaseContext) => Promise<unknown> }[] = [
  {
    name: 'repository.update by criteria',
    act: ({ products }) => products.update({ stock: 0 }, { price: 7 }),
  },
  { name: 'repository.delete by criteria', act: ({ products }) => products.delete({ sku: 'p-2' }) },
  {
    name: 'repository.insert',
    act: ({ products }) =>
      products.insert([
        { sku: 'p-20', name: 'Kettle mini', stock: 2, price: 19 },
        { sku: 'p-21', name: 'Toaster mini', stock: 2, price: 29 },
      ]),
  },
  { name: 'repository.increment', act: ({ products }) => products.increment({ sku: 'p-1' }, 'stock', 4) },
];

describeEachEngine<Engine>(['sqlite', 'postgres'])(
  'change capture with the auto-sync plugin (source on %s)',
  (engine) => {
    let database: TestDatabase | undefined;
    const stops: (() => Promise<void>)[] = [];
    const timeout = engine === 'postgres' ? 60_000 : 30_000;

    beforeAll(async () => {
      if (engine === 'postgres') {
        database = await requireTestDatabase('change_capture_autosync');
      }
    });
    afterAll(() => database?.drop());
    afterEach(async () => {
      for (const stop of stops.splice(0).reverse()) await stop();
    });

    /** A SQLite target, and a source loading the auto-sync plugin by package name, as a host does. */
    const start = async () => {
      if (database) await resetPostgresSchema(database.url);
      const secret = createTestSecret();
      stops.push(async () => {
        delete process.env[secret.variable];
      });
      const target = await bootStagingNode({
        name: 'target',
        acceptFrom: [{ server: 'source', secret }],
        model: productModel,
      });
      stops.push(target.stop);
      const kernel = await Kernel.boot({
        config: {
          nodeName: 'source',
          database: { url: database?.url ?? tempSqliteUrl('capture-autosync') },
          plugins: [STAGING_AUTOSYNC_PLUGIN],
          staging: TEST_STAGING,
          servers: [{ name: 'target', url: target.url!, secret: secret.ref, enabled: true }],
          stagingAutoSync: {},
        },
        modules: [StagingModule],
        ...productModel,
        logger: createLogger({ level: 'silent' }),
      });
      stops.push(() => kernel.stop());
      const dataSource = kernel.get(Storage).dataSource;
      const pending = () => kernel.get(SynchronizationInfoProvider).getSynchronizations();
      /** Waits (bounded) until nothing is pending and the target's content equals the source's. */
      const converged = async (what: string) => {
        await until(
          async () =>
            (await pending()).length === 0 &&
            isDeepStrictEqual(await contentOf(target.storage.dataSource), await contentOf(dataSource)),
          `the target to equal the source ${what}`,
          20_000,
        ).catch(() => undefined); // the assertions below say what differs
        expect(await pending()).toEqual([]);
        expect(await contentOf(target.storage.dataSource)).toEqual(await contentOf(dataSource));
      };
      return { dataSource, converged };
    };

    it.each(autoSynced)(
      '$name reaches the target without a delivery call',
      async ({ act }) => {
        const { dataSource, converged } = await start();
        const ctx = { dataSource, products: dataSource.getRepository(Product), ...(await seed(dataSource)) };
        await converged('after the seed');
        const before = await contentOf(dataSource);
        await act(ctx);
        expect(await contentOf(dataSource)).not.toEqual(before);
        await converged('after the call');
      },
      timeout,
    );
  },
);
