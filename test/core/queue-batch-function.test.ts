// The queue's batch function on PostgreSQL: statements run in order in one transaction, each seeing what the one
// before it wrote, with every kind of value a queue statement binds, and its commit setting stays in its own call.
import { runQueueBatch } from '@syncbus/core/internal';
import { ifPostgres, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

ifPostgres(describe)('the queue batch function (PostgreSQL)', () => {
  let database: TestDatabase | undefined;
  let node: StagingNode | undefined;
  beforeAll(async () => {
    database = await requireTestDatabase('queue_batch');
    node = await bootStagingNode({
      name: 'source',
      http: false,
      databaseUrl: database.url,
      servers: [{ name: 'target', url: 'http://127.0.0.1:9', secret: createTestSecret() }],
    });
  });
  afterAll(async () => {
    await node?.stop();
    await database?.drop();
  });

  it('binds numbers, strings, booleans, null and lists, and answers per statement', async () => {
    const [values, lists, none] = await runQueueBatch(node!.storage, 'staging_synchronization', undefined, [
      {
        sql: 'SELECT ? AS n, ? AS f, ? AS s, ? AS b, ? AS z',
        params: [1_770_000_000_123, 1.5, "it's ?", true, null],
      },
      {
        sql: "SELECT cardinality(?::bigint[]) AS ids, array_to_string(?::text[], '|') AS names, cardinality(?::bigint[]) AS empty",
        params: [[1, 2, 3], ['a', 'b'], []],
      },
      { sql: 'SELECT 1 AS one WHERE false', params: [] },
    ]);
    expect(values).toEqual([{ n: 1_770_000_000_123, f: 1.5, s: "it's ?", b: true, z: null }]);
    expect(lists).toEqual([{ ids: 3, names: 'a|b', empty: 0 }]);
    expect(none).toEqual([]);
  });

  it('runs its statements in one transaction, each seeing the writes before it', async () => {
    const { dataSource } = node!.storage;
    const [server] = await dataSource.query("SELECT id FROM staging_server WHERE name = 'target'");
    const [, [after]] = await runQueueBatch(node!.storage, 'staging_synchronization', `probe:${server.id}`, [
      {
        sql: 'UPDATE staging_server SET display_name = ? WHERE id = ? RETURNING id',
        params: ['renamed', server.id],
      },
      { sql: 'SELECT display_name FROM staging_server WHERE id = ?', params: [server.id] },
    ]);
    expect(after).toEqual({ display_name: 'renamed' });
    // A failing statement rolls back the ones before it.
    await expect(
      runQueueBatch(node!.storage, 'staging_synchronization', undefined, [
        {
          sql: 'UPDATE staging_server SET display_name = ? WHERE id = ? RETURNING id',
          params: ['lost', server.id],
        },
        { sql: 'SELECT 1 / 0', params: [] },
      ]),
    ).rejects.toThrow(/division by zero/);
    const [row] = await dataSource.query('SELECT display_name FROM staging_server WHERE id = $1', [
      server.id,
    ]);
    expect(row.display_name).toBe('renamed');
  });

  it('keeps its commit setting to its own transaction', async () => {
    const [[inside]] = await runQueueBatch(node!.storage, 'staging_synchronization', undefined, [
      { sql: "SELECT current_setting('synchronous_commit') AS setting", params: [] },
    ]);
    expect(inside).toEqual({ setting: 'off' });
    const [outside] = await node!.storage.dataSource.query(
      "SELECT current_setting('synchronous_commit') AS setting",
    );
    expect(outside.setting).toBe('on');
  });

  it('refuses a statement whose placeholders and values disagree, before sending it', async () => {
    await expect(
      runQueueBatch(node!.storage, 'staging_synchronization', undefined, [
        { sql: 'SELECT ?, ?', params: [1] },
      ]),
    ).rejects.toThrow(/placeholders/);
  });
});
