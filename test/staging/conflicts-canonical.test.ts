// No false conflict across engines: an entity with decimals, floats, booleans, dates, timestamps, JSON, an update
// date and a version column, staged SQLite -> PostgreSQL and PostgreSQL -> SQLite and updated again and again
// under the `hold` policy, never meets a conflict; a real edit on the target still does.
import { SyncObject } from '@syncbus/core';
import { ServerInfoProvider, StagingConflicts, StagingTaskRunner } from '@syncbus/staging';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { ifPostgres, requireTestDatabase, type TestDatabase } from '../support/postgres';
import {
  bootStagingNode,
  createTestSecret,
  resetPostgresSchema,
  type StagingNode,
} from '../support/staging-nodes';

/** Every kind of value whose form the drivers change on the way back from the database. */
@SyncObject({ type: 'test.typed', identity: 'code' })
@Entity('typed_item')
class TypedItem {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  code!: string;

  @Column({ type: 'decimal', precision: 10, scale: 2 })
  price!: string | number;

  @Column({ type: 'float' })
  ratio!: number;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ type: 'date' })
  day!: string;

  @Column()
  at!: Date;

  @Column({ type: 'simple-json' })
  attributes!: Record<string, unknown>;

  @Column({ type: 'bigint' })
  big!: string | number;

  @UpdateDateColumn()
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}

const model = { entities: [TypedItem], migrations: [] };

ifPostgres(describe)('conflict detection compares canonical values', () => {
  let database: TestDatabase;
  let nodes: StagingNode[] = [];
  beforeAll(async () => {
    database = await requireTestDatabase('staging_conflicts_canonical');
  });
  afterAll(() => database?.drop());
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
  });

  it.each([
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const)('staged from %s to %s: no false conflict over creates and updates', async (from, to) => {
    await resetPostgresSchema(database.url);
    const secret = createTestSecret();
    const url = (engine: string) => (engine === 'postgres' ? database.url : undefined);
    const target = await bootStagingNode({
      name: 'target',
      databaseUrl: url(to),
      database: { synchronize: true },
      acceptFrom: [{ server: 'source', secret }],
      staging: { receiver: { conflicts: { policy: 'hold' } } },
      model,
    });
    nodes.push(target);
    const source = await bootStagingNode({
      name: 'source',
      databaseUrl: url(from),
      database: { synchronize: true },
      http: false,
      servers: [{ name: 'target', url: target.url!, secret }],
      model,
    });
    nodes.push(source);
    const items = source.storage.dataSource.getRepository(TypedItem);
    const serverId = (await source.kernel.get(ServerInfoProvider).getServer('target'))!.id;
    const sync = () =>
      new StagingTaskRunner(serverId, { get: (id) => source.kernel.get(id) }).runSynchronization();
    await items.save({
      code: 'i-1',
      price: '12.50',
      ratio: 0.1 + 0.2,
      active: true,
      day: '2026-12-03',
      at: new Date('2026-12-03T10:11:12.345Z'),
      attributes: { b: 2, a: [1, { d: 4, c: 3 }] },
      // Beyond 2^53 SQLite's driver returns an imprecise number, so such a value cannot round-trip there at all.
      big: '1234567890123',
    });
    expect(await sync()).toMatchObject({ applied: 1, conflicts: 0 });
    for (let round = 0; round < 3; round++) {
      const current = await items.findOneByOrFail({ code: 'i-1' });
      await items.save({
        ...current,
        price: (Number(current.price) + 1).toFixed(2),
        ratio: current.ratio * 3,
        active: !current.active,
        at: new Date(current.at.getTime() + 1000),
        attributes: { ...current.attributes, round },
      });
      expect(await sync()).toMatchObject({ applied: 1, conflicts: 0, failed: 0 });
    }
    await items.update({ code: 'i-1' }, { day: '2027-01-01' });
    expect(await sync()).toMatchObject({ applied: 1, conflicts: 0, failed: 0 });
    expect(await target.kernel.get(StagingConflicts).list()).toEqual([]);

    // A real edit on the target is still found.
    const onTarget = target.storage.dataSource.getRepository(TypedItem);
    await onTarget.update({ code: 'i-1' }, { active: true, price: '99.99' });
    const latest = await items.findOneByOrFail({ code: 'i-1' });
    await items.save({ ...latest, ratio: 5 });
    expect(await sync()).toMatchObject({ conflicts: 1 });
    const [conflict] = await target.kernel.get(StagingConflicts).list();
    expect(JSON.parse(conflict.target!)).toMatchObject({ price: 99.99 });
  });
});
