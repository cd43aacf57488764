// A claim on a fresh PostgreSQL backlog (a burst after a quiet period: the table has no statistics yet, before
// autoanalyze) must stay an indexed read of about the rows it returns, never a scan of the target's rows per
// candidate. Judged by the buffers the claim's own statement touches (EXPLAIN ANALYZE BUFFERS), not by time.
import type { LeaseQueue } from '@syncbus/core/internal';
import { StagingQueue } from '@syncbus/staging/internal';
import { Article } from '../support/content-model';
import { ifPostgres, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

ifPostgres(describe)('a PostgreSQL claim on a backlog without statistics', () => {
  let database: TestDatabase | undefined;
  let node: StagingNode | undefined;
  beforeAll(async () => {
    database = await requireTestDatabase('claim_cost');
  });
  afterAll(async () => {
    await node?.stop();
    await database?.drop();
  });

  it('reads a bounded number of buffers per claimed row', async () => {
    node = await bootStagingNode({
      name: 'source',
      http: false,
      databaseUrl: database!.url,
      servers: [{ name: 'target', url: 'http://127.0.0.1:9', secret: createTestSecret() }],
    });
    const { dataSource } = node.storage;
    // No autoanalyze during the test: the planner sees the table as the burst leaves it.
    await dataSource.query('ALTER TABLE staging_synchronization SET (autovacuum_enabled = false)');
    const articles = dataSource.getRepository(Article);
    for (let chunk = 0; chunk < 6; chunk++) {
      const rows = Array.from({ length: 500 }, (_, i) => ({
        guid: `a-${chunk}-${i}`,
        title: `Article ${chunk}-${i}`,
      }));
      await articles.insert(rows);
    }
    await articles.createQueryBuilder().update().set({ views: 1 }).execute();
    const [{ count }] = await dataSource.query('SELECT COUNT(*)::int AS count FROM staging_synchronization');
    expect(count).toBe(6000);
    const [{ analyzed }] = await dataSource.query(
      "SELECT (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analyzed FROM pg_stat_user_tables WHERE relname = 'staging_synchronization'",
    );
    expect(analyzed).toBe(false);

    // Record the claim's statements as the queue sends them (every one goes through a query runner), then explain
    // each the same way. The claim is a call of the queue's batch function: its EXPLAIN counts the buffers of the
    // statements the function runs.
    const statements: { sql: string; params: unknown[] }[] = [];
    const isClaimRead = (sql: string) =>
      /FROM staging_synchronization(_batch)?\b/.test(sql) && /^\s*(SELECT|WITH)/.test(sql);
    const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
    dataSource.createQueryRunner = (...args) => {
      const runner = createQueryRunner(...args);
      const query = runner.query.bind(runner);
      runner.query = ((sql: string, params?: unknown[], ...rest: unknown[]) => {
        if (isClaimRead(sql)) statements.push({ sql, params: params ?? [] });
        return (query as (...a: unknown[]) => Promise<unknown>)(sql, params, ...rest);
      }) as typeof runner.query;
      return runner;
    };
    const [{ id: targetId }] = await dataSource.query("SELECT id FROM staging_server WHERE name = 'target'");
    const queue = node.kernel.get<LeaseQueue>(StagingQueue);
    const claimed = await queue.claim({ targetId, owner: 'worker', limit: 100, leaseMs: 60_000 });
    // The drain loop asks when work is next due after each pass: the same bound holds for it.
    expect(await queue.nextDueAt(targetId)).toBe(0);
    dataSource.createQueryRunner = createQueryRunner;
    expect(claimed).toHaveLength(100);
    // The claim's own statement and nextDueAt's.
    expect(statements.length).toBeGreaterThanOrEqual(2);

    let buffers = 0;
    for (const { sql, params } of statements) {
      const runner = dataSource.createQueryRunner();
      try {
        await runner.startTransaction();
        // The claim's planner settings are transaction-local: the statement that sets them is not measured, and
        // every measured one runs under them.
        if (/set_config/.test(sql)) continue;
        await runner.query(
          "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)",
        );
        const [row] = await runner.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
        const plan = (
          row['QUERY PLAN'] as { Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }[]
        )[0].Plan;
        buffers += plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
      } finally {
        await runner.rollbackTransaction().catch(() => undefined);
        await runner.release();
      }
    }
    console.log(
      `claim of 100 rows and nextDueAt over a 6,000-row backlog without statistics: ${buffers} buffers`,
    );
    // An index walk touches a few buffers per row it looks at; a scan of the target per candidate is millions.
    expect(buffers).toBeLessThan(20_000);
  }, 120_000);
});
