// The received-task ledgers of staging and integration are pruned to their retention, on both engines: old rows
// go, young rows stay, 0 keeps everything, the timer prunes on its own, and a failing prune is only logged.
import { Kernel, Storage } from '@syncbus/core';
import { LedgerRetention, withSqlTransaction } from '@syncbus/core/internal';
import { IntegrationReceivedTaskRetention } from '@syncbus/integration/internal';
import { StagingReceivedTaskRetention } from '@syncbus/staging/internal';
import { bootIntegrationNode } from '../integration/integration-node';
import { captureLogger } from '../support/captured-logger';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, resetPostgresSchema } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { until } from '../support/until';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One ledger: how to boot a node that owns it, and how its rows look. */
interface LedgerCase {
  readonly table: string;
  readonly boot: (url: string, settings: Record<string, unknown>) => Promise<Kernel>;
  readonly retention: (kernel: Kernel) => LedgerRetention;
  /** INSERT of one row (guid, written at), with `?` placeholders. */
  readonly insert: string;
}

const ledgers: LedgerCase[] = [
  {
    table: 'staging_received_task',
    boot: async (url, staging) =>
      (await bootStagingNode({ name: 'target', http: false, databaseUrl: url, staging })).kernel,
    retention: (kernel) => kernel.get<StagingReceivedTaskRetention>(StagingReceivedTaskRetention),
    insert: `INSERT INTO staging_received_task (source_server, task_guid, applied_at) VALUES ('source', ?, ?)`,
  },
  {
    table: 'integration_received_task',
    boot: (url, integration) => bootIntegrationNode({ url, integration }),
    retention: (kernel) => kernel.get<IntegrationReceivedTaskRetention>(IntegrationReceivedTaskRetention),
    insert: 'INSERT INTO integration_received_task (connector_id, task_guid, received_at) VALUES (1, ?, ?)',
  },
];

describeEachEngine(['sqlite', 'postgres'] as const)('received-task ledgers on %s', (engine) => {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    if (engine !== 'postgres') return;
    database = await requireTestDatabase('ledger_retention');
  });
  afterAll(() => database?.drop());

  let kernel: Kernel | undefined;
  afterEach(async () => {
    await kernel?.stop();
    kernel = undefined;
  });

  describe.each(ledgers)('$table', (ledger) => {
    const boot = async (settings: Record<string, unknown>) => {
      if (database) await resetPostgresSchema(database.url);
      kernel = await ledger.boot(database?.url ?? tempSqliteUrl('ledger-retention'), settings);
      return kernel;
    };
    // Rows in the order a node writes them (ids grow with time): `ages` in ms before now.
    const write = (node: Kernel, ages: Record<string, number>) =>
      withSqlTransaction(node.get(Storage), async (sql) => {
        for (const [guid, age] of Object.entries(ages))
          await sql.run(ledger.insert, [guid, Date.now() - age]);
      });
    const guids = (node: Kernel) =>
      withSqlTransaction(node.get(Storage), (sql) =>
        sql.all<{ task_guid: string }>(`SELECT task_guid FROM ${ledger.table} ORDER BY id`),
      ).then((rows) => rows.map((r) => r.task_guid));

    it('deletes the rows older than the retention in batches and keeps the younger ones', async () => {
      const node = await boot({ receivedTaskRetentionDays: 2 });
      // The timer off: only the prune() below runs.
      await ledger.retention(node).onStop();
      const old: Record<string, number> = {};
      for (let i = 0; i < 2500; i++) old[`old-${i}`] = 3 * DAY_MS + i;
      await write(node, old);
      await write(node, { 'just-inside': 2 * DAY_MS - 60_000, yesterday: DAY_MS, now: 0 });

      expect(await ledger.retention(node).prune()).toBe(2500);
      expect(await guids(node)).toEqual(['just-inside', 'yesterday', 'now']);
      expect(await ledger.retention(node).prune()).toBe(0);
    });

    it('keeps every row when the retention is 0', async () => {
      const node = await boot({ receivedTaskRetentionDays: 0, receivedTaskPruneIntervalMs: 10 });
      await write(node, { ancient: 3650 * DAY_MS, now: 0 });
      expect(await ledger.retention(node).prune()).toBe(0);
      expect(await guids(node)).toEqual(['ancient', 'now']);
    });

    it('prunes on its own while the node runs', async () => {
      const node = await boot({ receivedTaskRetentionDays: 1, receivedTaskPruneIntervalMs: 20 });
      await write(node, { stale: 2 * DAY_MS, fresh: 0 });
      await until(async () => {
        const left = await guids(node);
        return left.length === 1 ? left : undefined;
      }, `the timer to prune ${ledger.table}`);
      expect(await guids(node)).toEqual(['fresh']);
    });
  });
});

describe('LedgerRetention', () => {
  it('logs a prune that fails and tries again at the next interval, leaving the node running', async () => {
    const kernel = await bootIntegrationNode({ url: tempSqliteUrl('ledger-retention-fails') });
    const captured = captureLogger('error');
    const retention = new LedgerRetention({
      storage: kernel.get(Storage),
      logger: captured.logger,
      table: 'no_such_ledger',
      timeColumn: 'received_at',
      retentionDays: 1,
      intervalMs: 20,
    });
    try {
      retention.onStart();
      await until(
        () => (captured.lines.length >= 2 ? captured.lines : undefined),
        'two failed prunes in the log',
      );
      expect(captured.lines[0]).toMatchObject({
        table: 'no_such_ledger',
        msg: expect.stringContaining('pruning no_such_ledger failed'),
        err: { message: expect.stringContaining('no_such_ledger') },
      });
      // Not `rejects.toThrow`: better-sqlite3's errors come from the realm of the first suite that loaded it.
      const refused = await retention.prune().then(
        () => 'resolved',
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/no_such_ledger/);
      // The node's own storage is unharmed.
      expect(
        await kernel.get<IntegrationReceivedTaskRetention>(IntegrationReceivedTaskRetention).prune(),
      ).toBe(0);
    } finally {
      await retention.onStop();
      await kernel.stop();
    }
  });

  it('refuses a table or column that is not a plain identifier', () => {
    expect(
      () =>
        new LedgerRetention({
          storage: {} as Storage,
          logger: captureLogger().logger,
          table: 'x; DROP TABLE y',
          timeColumn: 'at',
          retentionDays: 1,
          intervalMs: 1000,
        }),
    ).toThrow(expect.objectContaining({ code: 'LEDGER_INVALID' }));
  });
});
