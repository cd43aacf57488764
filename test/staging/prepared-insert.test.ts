// The receiver writes a create as one prepared INSERT (PreparedInserts) only where nothing can tell it from
// TypeORM's `repository.insert`: the rows it writes equal TypeORM's, column by column and storage class by storage
// class, on SQLite and on PostgreSQL; host subscribers, entity listeners, create dates, versions, generated uuids and
// transformers still run where an entity has them; and a received change this node logs onward is still captured.
import { randomUUID } from 'node:crypto';
import { signHmacRequest, SyncObject } from '@syncbus/core';
import { generatedIdColumn, ObjectApplier } from '@syncbus/core/internal';
import {
  ServerInfoProvider,
  SIGNATURE_HEADER,
  STAGING_TASKS_PATH,
  StagingTask,
  StagingTaskRunner,
  TIMESTAMP_HEADER,
} from '@syncbus/staging';
import {
  AfterInsert,
  BeforeInsert,
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Table,
  UpdateDateColumn,
  VersionColumn,
  type EntityManager,
  type EntitySubscriberInterface,
  type InsertEvent,
  type MigrationInterface,
  type ObjectLiteral,
  type QueryRunner,
  type Relation,
} from 'typeorm';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import {
  bootStagingNode,
  createTestSecret,
  resetPostgresSchema,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';

type Engine = 'sqlite' | 'postgres';

/** What a specimen references. */
@SyncObject({ type: 'pi.maker', identity: 'code' })
@Entity('pi_maker')
class Maker {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;
}

/** Every kind of column a host entity commonly has, none of which TypeORM fills in by itself. */
@SyncObject({ type: 'pi.specimen', identity: 'code' })
@Entity('pi_specimen')
class Specimen {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'integer' })
  count!: number;

  @Column({ type: 'bigint' })
  big!: string | number;

  @Column({ type: 'decimal', precision: 12, scale: 2 })
  price!: string | number;

  @Column({ type: 'float' })
  ratio!: number;

  @Column({ type: 'real' })
  share!: number;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ type: 'date' })
  day!: string;

  // No explicit type: `datetime` on SQLite, `timestamp` on PostgreSQL.
  @Column()
  at!: Date;

  @Column({ type: 'simple-json' })
  attributes!: unknown;

  @Column({ type: 'json' })
  doc!: unknown;

  @Column({ type: 'varchar', length: 100, nullable: true })
  note!: string | null;

  @Column({ type: 'text', nullable: true })
  remark!: string | null;

  @Column({ type: Date, nullable: true })
  seen!: Date | null;

  /** Database defaults the tasks below mostly do not carry. */
  @Column({ type: 'varchar', length: 20, default: 'draft' })
  status!: string;

  @Column({ type: 'integer', default: 3 })
  priority!: number;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** A class field initialiser, with no database default: TypeORM's `create` runs it. */
  @Column({ type: 'varchar', length: 50 })
  label: string = 'unlabelled';

  /** A reference through a foreign key column of TypeORM's own. */
  @ManyToOne(() => Maker, { nullable: true })
  @JoinColumn({ name: 'maker_id' })
  maker?: Relation<Maker> | null;

  /** A reference through a foreign key column the entity declares itself. */
  @Column({ type: 'integer', nullable: true })
  ownerId!: number | null;

  @ManyToOne(() => Maker, { nullable: true })
  @JoinColumn({ name: 'ownerId' })
  owner?: Relation<Maker> | null;
}

/** `@BeforeInsert` sets a column the task does not carry. */
@SyncObject({ type: 'pi.stamped', identity: 'code' })
@Entity('pi_stamped')
class Stamped {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  stamp!: string | null;

  @BeforeInsert()
  stampIt(): void {
    this.stamp = `before-insert:${this.code}`;
  }
}

/** A `@BeforeInsert` declared on a base class that is no entity. */
abstract class StampedBase {
  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  stamp!: string | null;

  @BeforeInsert()
  stampIt(): void {
    this.stamp = `inherited:${this.code}`;
  }
}

@SyncObject({ type: 'pi.inherited', identity: 'code' })
@Entity('pi_inherited')
class InheritedStamp extends StampedBase {
  @PrimaryGeneratedColumn()
  id!: number;
}

/** Codes `@AfterInsert` saw, in order. */
const announced: string[] = [];

@SyncObject({ type: 'pi.announced', identity: 'code' })
@Entity('pi_announced')
class Announced {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @AfterInsert()
  announce(): void {
    announced.push(this.code);
  }
}

@SyncObject({ type: 'pi.dated', identity: 'code' })
@Entity('pi_dated')
class Dated {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}

@SyncObject({ type: 'pi.versioned', identity: 'code' })
@Entity('pi_versioned')
class Versioned {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @VersionColumn()
  version!: number;
}

@SyncObject({ type: 'pi.tokened', identity: 'code' })
@Entity('pi_tokened')
class Tokened {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column()
  @Generated('uuid')
  token!: string;
}

@SyncObject({ type: 'pi.transformed', identity: 'code' })
@Entity('pi_transformed')
class Transformed {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({
    type: 'varchar',
    length: 100,
    transformer: { to: (v: string | null) => v?.toUpperCase() ?? v, from: (v: string | null) => v },
  })
  shout!: string;
}

/** TypeORM writes a jsonb column through `jsonb(?)` on SQLite (SQLite's binary JSON), a plain parameter on PostgreSQL. */
@SyncObject({ type: 'pi.jsonb', identity: 'code' })
@Entity('pi_jsonb')
class JsonbDoc {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'jsonb' })
  doc!: unknown;
}

/**
 * Defaults the entity and its table disagree on: the entity declares `status` and `weight` defaults its table
 * (created by the migration below, never synchronized) lacks, and the table has `origin` and `tier` defaults the
 * entity does not declare. TypeORM's insert of a missing value writes the entity's default or NULL on SQLite,
 * `DEFAULT` (the table's) on PostgreSQL.
 */
@SyncObject({ type: 'pi.defaulted', identity: 'code' })
@Entity('pi_defaulted', { synchronize: false })
class Defaulted {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 20, nullable: true, default: 'draft' })
  status!: string | null;

  @Column({ type: 'integer', nullable: true, default: 7 })
  weight!: number | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  origin!: string | null;

  @Column({ type: 'integer', nullable: true })
  tier!: number | null;
}

/** pi_defaulted as the host's migration creates it: no default where the entity has one, and the other way round. */
class CreatePiDefaulted1700000000950 implements MigrationInterface {
  name = 'CreatePiDefaulted1700000000950';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'pi_defaulted',
        columns: [
          generatedIdColumn(),
          { name: 'code', type: 'varchar', length: '50', isUnique: true },
          { name: 'status', type: 'varchar', length: '20', isNullable: true },
          { name: 'weight', type: 'integer', isNullable: true },
          { name: 'origin', type: 'varchar', length: '20', isNullable: true, default: "'migrated'" },
          { name: 'tier', type: 'integer', isNullable: true, default: 5 },
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('pi_defaulted');
  }
}

const model = {
  entities: [
    Maker,
    Specimen,
    Stamped,
    InheritedStamp,
    Announced,
    Dated,
    Versioned,
    Tokened,
    Transformed,
    JsonbDoc,
    Defaulted,
  ],
  migrations: [CreatePiDefaulted1700000000950],
};

const ref = (type: string, identity: string) => ({ $ref: { type, identity } });

/** Specimens whose values cover each column kind, left-out and null columns, and the numbers drivers treat apart. */
const specimens: Record<string, unknown>[] = [
  {
    code: 's-full',
    title: 'Everything given',
    body: 'A body\nwith two lines',
    count: 42,
    big: '1234567890123',
    price: '12.50',
    ratio: 0.1 + 0.2,
    share: 0.5,
    active: true,
    day: '2026-12-03',
    at: '2026-12-03T10:11:12.345Z',
    attributes: { b: 2, a: [1, { d: 4, c: 3 }] },
    doc: { nested: { list: [1, 'two', null, true] } },
    note: 'a note',
    remark: 'a remark',
    seen: '2025-01-02T03:04:05.678Z',
    status: 'live',
    priority: 9,
    enabled: false,
    label: 'given',
    maker: ref('pi.maker', 'm-1'),
    owner: ref('pi.maker', 'm-2'),
  },
  {
    // Only what has no default: nullable columns, database defaults and the initialiser left out; a null reference.
    code: 's-minimal',
    title: 'Minimal',
    body: '',
    count: 0,
    big: 0,
    price: 0,
    ratio: 0,
    share: 0,
    active: false,
    day: '2024-02-29',
    at: '2024-02-29T23:59:59.999Z',
    attributes: {},
    doc: [],
    maker: null,
  },
  {
    // Text that needs quoting, explicit nulls, an offset in a timestamp, integers in float columns.
    code: 's-edges',
    title: `"O'Brien" -- ünïcødé 🎉; DROP TABLE x`,
    body: '\\ backslash, tab\tand\u2028separator',
    count: -2147483648,
    big: '9007199254740993',
    price: 12,
    ratio: 2,
    share: -1.5,
    active: true,
    day: '1999-12-31',
    at: '2026-12-03T10:11:12.345+02:00',
    attributes: 'just a string',
    doc: [{ x: {} }, 'ü', 1.5e-7],
    note: null,
    remark: null,
    seen: null,
    priority: 0,
    label: '',
    owner: ref('pi.maker', 'm-1'),
  },
  {
    // Numbers beyond what a safe integer or a short literal holds.
    code: 's-numbers',
    title: 'Numbers',
    body: 'n',
    count: 2147483647,
    big: 9007199254740994,
    price: '-0.05',
    ratio: 1e21,
    share: 1e-7,
    active: false,
    day: '2000-01-01',
    at: '2000-01-01T00:00:00.000Z',
    attributes: [1.5, -0, 1e300],
    doc: { big: 12345678901234567890, tiny: 5e-324 },
    enabled: true,
    maker: ref('pi.maker', 'm-2'),
  },
];

/** A host subscriber recording the inserts it sees; listening to `target`, or (none given) with no `listenTo` at all. */
function insertRecorder(target?: Function): EntitySubscriberInterface & { seen: string[] } {
  const seen: string[] = [];
  const afterInsert = (event: InsertEvent<ObjectLiteral>) => {
    seen.push(`${event.metadata.tableName}:${event.entity.code}`);
  };
  return target ? { seen, listenTo: () => target, afterInsert } : { seen, afterInsert };
}

/** What each create did on a node: true when the prepared insert wrote it, false when TypeORM's insert did. */
type PathLog = { type: string; prepared: boolean }[];

/** Spies on the node's prepared inserts (the applier's, one per node). */
function watchPaths(node: StagingNode): PathLog {
  const applier = node.kernel.get(ObjectApplier) as unknown as {
    inserts: {
      insert(manager: EntityManager, info: { type: string }, values: ObjectLiteral): Promise<boolean>;
    };
  };
  const inserts = applier.inserts;
  expect(typeof inserts?.insert).toBe('function');
  const original = inserts.insert.bind(inserts);
  const log: PathLog = [];
  jest.spyOn(inserts, 'insert').mockImplementation(async (manager, info, values) => {
    const prepared = await original(manager, info, values);
    log.push({ type: info.type, prepared });
    return prepared;
  });
  return log;
}

describeEachEngine<Engine>(['sqlite', 'postgres'])('a received create on a %s target', (engine) => {
  const databases: TestDatabase[] = [];
  const nodes: StagingNode[] = [];
  const secrets: TestSecret[] = [];

  beforeAll(async () => {
    if (engine === 'postgres') {
      for (let i = 0; i < 3; i++) databases.push(await requireTestDatabase(`prepared_insert_${i}`));
    }
  });
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    for (const secret of secrets.splice(0)) delete process.env[secret.variable];
    announced.length = 0;
  });

  /** A fresh database of this engine for the `slot`-th node of a test (SQLite: a new file). */
  const databaseFor = async (slot: number): Promise<string | undefined> => {
    if (engine === 'sqlite') return undefined;
    await resetPostgresSchema(databases[slot].url);
    return databases[slot].url;
  };

  const secret = () => {
    const made = createTestSecret();
    secrets.push(made);
    return made;
  };

  /** A node on this engine that accepts tasks from `source`. */
  const target = async (
    slot: number,
    from: TestSecret,
    options: {
      name?: string;
      staging?: Record<string, unknown>;
      servers?: Parameters<typeof bootStagingNode>[0]['servers'];
    } = {},
  ) => {
    const node = await bootStagingNode({
      name: options.name ?? `target-${slot}`,
      databaseUrl: await databaseFor(slot),
      database: { synchronize: true },
      acceptFrom: [{ server: 'source', secret: from }],
      staging: options.staging,
      servers: options.servers,
      model,
    });
    nodes.push(node);
    return node;
  };

  /** Posts creates to `node`'s receiver as the server `source`, signed; expects each applied. */
  const post = async (
    node: StagingNode,
    key: TestSecret,
    objects: { type: string; data: Record<string, unknown> }[],
  ) => {
    const tasks = objects.map(({ type, data }) => ({
      guid: randomUUID(),
      taskType: 'create',
      objectType: type,
      objectGuid: String(data.code),
      objectId: null,
      title: String(data.code),
      data,
      createdAt: Date.now(),
      origin: [],
      users: ['alice'],
      groups: [],
    }));
    const raw = JSON.stringify({ protocol: 2, source: { server: 'source' }, tasks });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`${node.url}${STAGING_TASKS_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signHmacRequest(key.value, timestamp, raw),
      },
      body: raw,
    });
    const reply = (await response.json()) as { results?: { status: string; message?: string }[] };
    expect({ status: response.status, results: reply.results }).toEqual({
      status: 200,
      results: tasks.map((t) => ({ guid: t.guid, status: 'applied' })),
    });
  };

  const makers = [
    { type: 'pi.maker', data: { code: 'm-1', name: 'Maker one' } },
    { type: 'pi.maker', data: { code: 'm-2', name: 'Maker two' } },
  ];

  /**
   * A table as the driver returns it, the generated primary key left out, by code; and what the engine itself says
   * each value is (SQLite: its storage class per column; PostgreSQL: the row as jsonb, the engine's own printing).
   */
  const rowsOf = async (node: StagingNode, table: string) => {
    const db = node.storage.dataSource;
    const strip = (row: ObjectLiteral) => {
      const { id: _id, ...rest } = row;
      return rest;
    };
    const rows = ((await db.query(`SELECT * FROM ${table} ORDER BY code`)) as ObjectLiteral[]).map(strip);
    let typed: unknown[];
    if (engine === 'sqlite') {
      const columns = ((await db.query(`PRAGMA table_info(${table})`)) as { name: string }[])
        .map((c) => c.name)
        .filter((name) => name !== 'id');
      const select = columns.map((c) => `typeof("${c}") AS "${c}"`).join(', ');
      typed = await db.query(`SELECT ${select} FROM ${table} ORDER BY code`);
    } else {
      typed = (
        (await db.query(`SELECT (to_jsonb(t) - 'id')::text AS row FROM ${table} t ORDER BY code`)) as {
          row: string;
        }[]
      ).map((r) => r.row);
    }
    return { rows, typed };
  };

  it('writes the very row TypeORM writes, by the prepared insert where no subscriber listens and by TypeORM where one does', async () => {
    const key = secret();
    const fast = await target(0, key);
    const listening = await target(1, key);
    const everything = await target(2, key);
    // A subscriber without insert hooks (one that only watches updates) does not count.
    const updatesOnly: EntitySubscriberInterface = { afterUpdate: () => undefined };
    fast.storage.dataSource.subscribers.push(updatesOnly);
    const toSpecimen = insertRecorder(Specimen);
    listening.storage.dataSource.subscribers.push(toSpecimen);
    const toAll = insertRecorder();
    everything.storage.dataSource.subscribers.push(toAll);
    const paths = new Map([fast, listening, everything].map((node) => [node, watchPaths(node)]));

    const objects = [...makers, ...specimens.map((data) => ({ type: 'pi.specimen', data }))];
    for (const node of [fast, listening, everything]) await post(node, key, objects);

    // Which path wrote what: everything prepared on the plain node; the specimens (only they) through TypeORM
    // where a subscriber listens to them; all of it through TypeORM where one listens to every entity.
    const summary = (node: StagingNode) => paths.get(node)!.map((p) => `${p.type}:${p.prepared}`);
    const expected = (maker: boolean, specimen: boolean) => [
      ...makers.map(() => `pi.maker:${maker}`),
      ...specimens.map(() => `pi.specimen:${specimen}`),
    ];
    expect(summary(fast)).toEqual(expected(true, true));
    expect(summary(listening)).toEqual(expected(true, false));
    expect(summary(everything)).toEqual(expected(false, false));
    // ... and the subscribers saw what TypeORM inserted, the received creates.
    const codes = specimens.map((s) => `pi_specimen:${s.code}`);
    expect(toSpecimen.seen).toEqual(codes);
    expect(toAll.seen).toEqual(['pi_maker:m-1', 'pi_maker:m-2', ...codes]);

    const fastRows = await rowsOf(fast, 'pi_specimen');
    expect(fastRows.rows).toHaveLength(specimens.length);
    // Received: the prepared insert's rows; expected: TypeORM's.
    expect(fastRows).toEqual(await rowsOf(listening, 'pi_specimen'));
    expect(fastRows).toEqual(await rowsOf(everything, 'pi_specimen'));
    expect(await rowsOf(fast, 'pi_maker')).toEqual(await rowsOf(listening, 'pi_maker'));
    expect(await rowsOf(fast, 'pi_maker')).toEqual(await rowsOf(everything, 'pi_maker'));

    // Not an agreement on something wrong: the defaults, the initialiser, the nulls and the references hold.
    const [edges, full, minimal, numbers] = fastRows.rows;
    const makerIds = Object.fromEntries(
      (
        (await fast.storage.dataSource.query('SELECT id, code FROM pi_maker')) as {
          id: number;
          code: string;
        }[]
      ).map((m) => [m.code, m.id]),
    );
    expect(full).toMatchObject({
      code: 's-full',
      status: 'live',
      priority: 9,
      label: 'given',
      note: 'a note',
      maker_id: makerIds['m-1'],
      ownerId: makerIds['m-2'],
    });
    expect(minimal).toMatchObject({
      code: 's-minimal',
      status: 'draft',
      priority: 3,
      label: 'unlabelled',
      note: null,
      remark: null,
      seen: null,
      maker_id: null,
      ownerId: null,
    });
    expect(edges).toMatchObject({
      code: 's-edges',
      label: '',
      priority: 0,
      maker_id: null,
      ownerId: makerIds['m-1'],
    });
    expect(numbers).toMatchObject({ code: 's-numbers', maker_id: makerIds['m-2'] });
    // Read back through TypeORM, the prepared insert's object is the one the source sent.
    const loaded = await fast.storage.dataSource
      .getRepository(Specimen)
      .findOneOrFail({ where: { code: 's-full' }, relations: { maker: true, owner: true } });
    expect(loaded).toMatchObject({
      enabled: false,
      active: true,
      at: new Date('2026-12-03T10:11:12.345Z'),
      attributes: { b: 2, a: [1, { d: 4, c: 3 }] },
      doc: { nested: { list: [1, 'two', null, true] } },
      maker: { code: 'm-1' },
      owner: { code: 'm-2' },
    });
    expect(Number(loaded.price)).toBe(12.5);
    expect(String(loaded.big)).toBe('1234567890123');
  });

  it('writes a jsonb column as TypeORM does', async () => {
    const key = secret();
    const fast = await target(0, key);
    const typeorm = await target(1, key);
    typeorm.storage.dataSource.subscribers.push(insertRecorder(JsonbDoc));
    const fastPaths = watchPaths(fast);
    const typeormPaths = watchPaths(typeorm);
    const docs = [
      { type: 'pi.jsonb', data: { code: 'j-1', doc: { b: 2, a: [1, { c: null }] } } },
      { type: 'pi.jsonb', data: { code: 'j-2', doc: ['ü', 1.5] } },
    ];
    for (const node of [fast, typeorm]) await post(node, key, docs);
    expect(fastPaths.map((p) => p.prepared)).toEqual([true, true]);
    expect(typeormPaths.map((p) => p.prepared)).toEqual([false, false]);
    expect(await rowsOf(fast, 'pi_jsonb')).toEqual(await rowsOf(typeorm, 'pi_jsonb'));
  });

  it('lets a subscriber the host adds after the first creates see the next ones', async () => {
    const key = secret();
    const node = await target(0, key);
    const paths = watchPaths(node);
    await post(node, key, [makers[0], { type: 'pi.specimen', data: specimens[1] }]);
    expect(paths.map((p) => p.prepared)).toEqual([true, true]);
    // TypeORM's Broadcaster reads `dataSource.subscribers` on every insert; the host pushes its own there.
    const toMaker = insertRecorder(Maker);
    const toAll = insertRecorder();
    node.storage.dataSource.subscribers.push(toMaker, toAll);
    await post(node, key, [makers[1], { type: 'pi.specimen', data: { ...specimens[1], code: 's-later' } }]);
    expect(toMaker.seen).toEqual(['pi_maker:m-2']);
    expect(toAll.seen).toEqual(['pi_maker:m-2', 'pi_specimen:s-later']);
  });

  it('runs what the entity hooks into an insert: entity listeners, create and update dates, versions, generated uuids, transformers', async () => {
    const key = secret();
    const node = await target(0, key);
    const paths = watchPaths(node);
    const before = Date.now();
    await post(node, key, [
      { type: 'pi.stamped', data: { code: 'st-1' } },
      { type: 'pi.inherited', data: { code: 'in-1' } },
      { type: 'pi.announced', data: { code: 'an-1' } },
      { type: 'pi.dated', data: { code: 'da-1' } },
      { type: 'pi.versioned', data: { code: 've-1' } },
      { type: 'pi.tokened', data: { code: 'to-1' } },
      { type: 'pi.transformed', data: { code: 'tr-1', shout: 'quiet' } },
      // The plain entity beside them is still written by the prepared insert.
      makers[0],
    ]);
    expect(paths).toEqual([
      { type: 'pi.stamped', prepared: false },
      { type: 'pi.inherited', prepared: false },
      { type: 'pi.announced', prepared: false },
      { type: 'pi.dated', prepared: false },
      { type: 'pi.versioned', prepared: false },
      { type: 'pi.tokened', prepared: false },
      { type: 'pi.transformed', prepared: false },
      { type: 'pi.maker', prepared: true },
    ]);
    const db = node.storage.dataSource;
    expect(await db.getRepository(Stamped).findOneByOrFail({ code: 'st-1' })).toMatchObject({
      stamp: 'before-insert:st-1',
    });
    expect(await db.getRepository(InheritedStamp).findOneByOrFail({ code: 'in-1' })).toMatchObject({
      stamp: 'inherited:in-1',
    });
    expect(announced).toEqual(['an-1']);
    const dated = await db.getRepository(Dated).findOneByOrFail({ code: 'da-1' });
    // Second precision on SQLite's CURRENT_TIMESTAMP.
    expect(dated.createdAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(dated.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(dated.updatedAt).toBeInstanceOf(Date);
    expect(await db.getRepository(Versioned).findOneByOrFail({ code: 've-1' })).toMatchObject({ version: 1 });
    const tokened = await db.getRepository(Tokened).findOneByOrFail({ code: 'to-1' });
    expect(tokened.token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await db.query(`SELECT shout FROM pi_transformed`)).toEqual([{ shout: 'QUIET' }]);
  });

  it('goes through TypeORM when the node logs received changes onward, so the capture logs the create', async () => {
    // source (SQLite) -> middle (logs received changes, stages on to end) -> end.
    const toMiddle = secret();
    const toEnd = secret();
    const end = await bootStagingNode({
      name: 'end',
      databaseUrl: await databaseFor(0),
      database: { synchronize: true },
      acceptFrom: [{ server: 'middle', secret: toEnd }],
      model,
    });
    nodes.push(end);
    const middle = await target(1, toMiddle, {
      name: 'middle',
      staging: { logReceivedChanges: true },
      servers: [{ name: 'end', url: end.url!, secret: toEnd }],
    });
    const source = await bootStagingNode({
      name: 'source',
      database: { synchronize: true },
      http: false,
      servers: [{ name: 'middle', url: middle.url!, secret: toMiddle }],
      model,
    });
    nodes.push(source);
    const middlePaths = watchPaths(middle);
    const endPaths = watchPaths(end);
    const send = async (from: StagingNode, to: string) => {
      const server = (await from.kernel.get(ServerInfoProvider).getServer(to))!;
      return new StagingTaskRunner(server.id, from.kernel).runSynchronization();
    };

    const maker = await source.storage.dataSource
      .getRepository(Maker)
      .save({ code: 'm-1', name: 'Maker one' });
    await source.storage.dataSource.getRepository(Specimen).save({
      ...(specimens[0] as object),
      at: new Date('2026-12-03T10:11:12.345Z'),
      seen: null,
      maker,
      owner: null,
    });
    expect(await send(source, 'middle')).toMatchObject({ applied: 2, failed: 0 });

    expect(middlePaths).toEqual([
      { type: 'pi.maker', prepared: false },
      { type: 'pi.specimen', prepared: false },
    ]);
    const forwarded = await middle.storage.dataSource
      .getRepository(StagingTask)
      .find({ order: { id: 'ASC' } });
    expect(forwarded).toMatchObject([
      { taskType: 'create', objectType: 'pi.maker', objectGuid: 'm-1', origin: ['source'] },
      {
        taskType: 'create',
        objectType: 'pi.specimen',
        objectGuid: 's-full',
        origin: ['source'],
        data: expect.objectContaining({
          title: 'Everything given',
          label: 'given',
          maker: ref('pi.maker', 'm-1'),
          owner: null,
        }),
      },
    ]);

    // The end node logs nothing onward, so there the prepared insert writes them, and the rows match middle's.
    expect(await send(middle, 'end')).toMatchObject({ applied: 2, failed: 0 });
    expect(endPaths).toEqual([
      { type: 'pi.maker', prepared: true },
      { type: 'pi.specimen', prepared: true },
    ]);
    expect(await end.storage.dataSource.getRepository(StagingTask).count()).toBe(0);
    const atEnd = await rowsOf(end, 'pi_specimen');
    expect(atEnd.rows).toMatchObject([{ code: 's-full', label: 'given' }]);
    expect(atEnd).toEqual(await rowsOf(middle, 'pi_specimen'));
  });

  it("writes a create's missing values as TypeORM does: the entity's defaults on SQLite, the table's on PostgreSQL", async () => {
    const key = secret();
    const fast = await target(0, key);
    const typeorm = await target(1, key);
    typeorm.storage.dataSource.subscribers.push(insertRecorder(Defaulted));
    const fastPaths = watchPaths(fast);
    const typeormPaths = watchPaths(typeorm);
    // Neither carries status, weight, origin or tier; the second sets them all, so each path writes two shapes.
    const objects = [
      { type: 'pi.defaulted', data: { code: 'd-bare' } },
      { type: 'pi.defaulted', data: { code: 'd-given', status: 'live', weight: 0, origin: 'sent', tier: 1 } },
    ];
    for (const node of [fast, typeorm]) await post(node, key, objects);
    expect(fastPaths).toEqual([
      { type: 'pi.defaulted', prepared: true },
      { type: 'pi.defaulted', prepared: true },
    ]);
    expect(typeormPaths).toEqual([
      { type: 'pi.defaulted', prepared: false },
      { type: 'pi.defaulted', prepared: false },
    ]);

    // Received: the prepared insert's rows; expected: TypeORM's.
    const fastRows = await rowsOf(fast, 'pi_defaulted');
    expect(fastRows).toEqual(await rowsOf(typeorm, 'pi_defaulted'));
    // Not an agreement on something wrong: what each engine's TypeORM insert writes for the missing values.
    expect(fastRows.rows).toEqual([
      engine === 'sqlite'
        ? { code: 'd-bare', status: 'draft', weight: 7, origin: null, tier: null }
        : { code: 'd-bare', status: null, weight: null, origin: 'migrated', tier: 5 },
      { code: 'd-given', status: 'live', weight: 0, origin: 'sent', tier: 1 },
    ]);
  });
});
