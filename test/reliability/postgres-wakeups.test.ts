// Cross-process wake-ups on PostgreSQL: a web process (role log-only) logs tasks, a worker process (a real child,
// its poll set to ten minutes) delivers them at once because the commit NOTIFYs it; a rolled-back change wakes
// nobody; a terminated listening connection comes back and catches up.
import { createLogger } from '@syncbus/core';
import { QueueWakeups, type QueueWakeup } from '@syncbus/core/internal';
import { StagingAutoSyncScheduler } from '@syncbus/plugin-staging-autosync';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Article } from '../support/content-model';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';
import { runCli } from '../support/run-cli';
import { until } from '../support/until';
import { assertHostBuilt, Cleanup, probePostgres, startNode, tempDir, type ChaosNode } from './chaos-support';

const postgres = probePostgres();
const describeWithPostgres = postgres.reachable ? describe : describe.skip;
const CHANNEL = 'staging_synchronization';
/** The worker's poll: far above every wait below, so only a wake-up can deliver in time. */
const POLL_MS = 600_000;
const DELIVERY_MS = 10_000;

describeWithPostgres(
  `wake-ups across processes on PostgreSQL${postgres.reachable ? '' : ` (skipped: PostgreSQL unreachable: ${postgres.reason})`}`,
  () => {
    const cleanup = new Cleanup();
    let database: TestDatabase;
    let target: StagingNode;
    let host: StagingNode;
    let worker: ChaosNode;
    /** This test's own listener, with a slow reconnect so a test can act while it is down. */
    let listener: QueueWakeups;
    const heard: QueueWakeup[] = [];

    beforeAll(async () => {
      assertHostBuilt();
      const created = await createTestDatabase('wakeups');
      if (!created) throw new Error('PostgreSQL answered the probe but no test database could be created');
      database = created;
      cleanup.add(() => database.drop());
      const secret = createTestSecret();
      target = await bootStagingNode({ name: 'target', acceptFrom: [{ server: 'source', secret }] });
      cleanup.add(() => target.stop());
      const servers = [{ name: 'target', url: target.url!, secret }];
      // The web process: it loads the auto-sync plugin with a fast poll, but its role only logs tasks.
      host = await bootStagingNode({
        name: 'source',
        databaseUrl: database.url,
        http: false,
        servers,
        config: {
          role: 'log-only',
          plugins: ['@syncbus/plugin-staging-autosync'],
          stagingAutoSync: { pollIntervalMs: 50 },
        },
      });
      cleanup.add(() => host.stop());
      worker = await startNode(cleanup, 'worker', {
        role: 'source',
        nodeName: 'source',
        databaseUrl: database.url,
        servers: servers.map((s) => ({ name: s.name, url: s.url, secret: secret.ref })),
        stagingAutoSync: { pollIntervalMs: POLL_MS },
      });
      listener = new QueueWakeups(database.url, createLogger({ level: 'silent' }), {
        connectTimeoutMs: 5000,
        backoff: { baseDelayMs: 1500, maxDelayMs: 1500 },
      });
      cleanup.add(() => listener.close());
      listener.on(CHANNEL).subscribe((wakeup) => heard.push(wakeup));
      await until(() => listener.listening && heard.length > 0, 'the test listener to connect');
    }, 60_000);
    afterAll(() => cleanup.run());

    const logArticle = (title: string, rollBack = false) =>
      host.storage
        .transaction(async (manager) => {
          await manager.getRepository(Article).save({ guid: randomUUID(), title });
          if (rollBack) throw new Error('the host rolls back');
        })
        .catch((error: Error) => {
          if (!rollBack || error.message !== 'the host rolls back') throw error;
        });
    const onTarget = async (title: string) =>
      (await target.storage.dataSource.query('SELECT 1 FROM article WHERE title = ?', [title])).length > 0;
    const sourceQueueEmpty = async () =>
      Number(
        (await host.storage.dataSource.query('SELECT COUNT(*) AS n FROM staging_synchronization'))[0].n,
      ) === 0;
    const delivered = async (title: string) => {
      await until(() => onTarget(title), `'${title}' on the target`, DELIVERY_MS);
      await until(sourceQueueEmpty, 'the source queue to settle', DELIVERY_MS);
      worker.assertAlive();
    };

    it('delivers a task logged in another process at its commit, without waiting for the poll', async () => {
      await logArticle('first');
      await delivered('first');
      // Logged once the worker has settled and gone back to sleep for its ten-minute poll.
      for (const title of ['second', 'third']) {
        heard.length = 0;
        await logArticle(title);
        await delivered(title);
        // One wake-up, the commit's: the worker's claim (rows leased) and settle (rows deleted) send none.
        expect(heard).toEqual([{ payload: expect.stringMatching(/^[1-9]\d*$/) }]);
      }
      // The worker delivered: the web process never ran a delivery loop.
      expect(host.kernel.get(StagingAutoSyncScheduler).serverIds).toEqual([]);
    });

    it('a rolled-back change wakes nobody and delivers nothing', async () => {
      heard.length = 0;
      await logArticle('rolled back', true);
      // Notifications of one session arrive in commit order: once the sentinel is heard, anything the rolled-back
      // transaction had sent would have been heard before it.
      await host.storage.dataSource.query('SELECT pg_notify($1, $2)', [CHANNEL, 'sentinel']);
      await until(() => heard.some((w) => w.payload === 'sentinel'), 'the sentinel');
      expect(heard).toEqual([{ payload: 'sentinel' }]);
      await logArticle('after the rollback');
      await delivered('after the rollback');
      expect(await onTarget('rolled back')).toBe(false);
    });

    it('syncbus workers list shows the live processes: the web process (log-only) and the listening worker', async () => {
      const dir = tempDir(cleanup, 'workers-list');
      writeFileSync(
        join(dir, 'syncbus.config.json'),
        JSON.stringify({ nodeName: 'source', database: { url: database.url } }),
      );
      // The CLI opens the node with the default modules: their migrations must have run.
      expect((await runCli(['migrate'], { cwd: dir })).code).toBe(0);
      const run = await runCli(['workers', 'list', '--json'], { cwd: dir });
      expect(run.code).toBe(0);
      const processes = JSON.parse(run.stdout) as { process: string; role: string; listening: boolean }[];
      const host = `${hostname()}:`;
      expect(processes).toContainEqual(
        expect.objectContaining({
          process: `${host}${worker.pid}`,
          role: 'all',
          listening: true,
          leases: 0,
        }),
      );
      expect(processes).toContainEqual(
        expect.objectContaining({ process: `${host}${process.pid}`, role: 'log-only', listening: false }),
      );
      // Nothing else, not the CLI's own node: an administrative command does not start, so it does not announce.
      const known = [`${host}${worker.pid}`, `${host}${process.pid}`];
      expect(processes.filter((p) => !known.includes(p.process))).toEqual([]);
    });

    it('channels asked for while a reconnect is pending share the one next connection', async () => {
      const probe = new QueueWakeups(database.url, createLogger({ level: 'silent' }), {
        connectTimeoutMs: 5000,
        backoff: { baseDelayMs: 1000, maxDelayMs: 1000 },
      });
      cleanup.add(() => probe.close());
      const got: string[] = [];
      probe.on('wakeup_probe_a').subscribe(({ payload }) => payload && got.push(`a:${payload}`));
      await until(() => probe.listening, 'the probe to listen');
      const connections = async () =>
        Number(
          (
            await host.storage.dataSource.query(
              `SELECT COUNT(*) AS n FROM pg_stat_activity
                WHERE datname = current_database() AND query IN ('LISTEN wakeup_probe_a', 'LISTEN wakeup_probe_b')`,
            )
          )[0].n,
        );
      await host.storage.dataSource.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'LISTEN wakeup_probe_a'`,
      );
      await until(() => !probe.listening, 'the probe to notice');
      // While its reconnect is pending (500-1000 ms): a new channel and an announce must not open a second one.
      probe.on('wakeup_probe_b').subscribe(({ payload }) => payload && got.push(`b:${payload}`));
      probe.announce();
      await until(() => probe.listening, 'the probe to reconnect', DELIVERY_MS);
      expect(await connections()).toBe(1);
      await host.storage.dataSource.query(
        "SELECT pg_notify('wakeup_probe_b', 'once'), pg_notify('wakeup_probe_a', 'x')",
      );
      await until(() => got.length >= 2, 'both notifications');
      expect(got.sort()).toEqual(['a:x', 'b:once']);
      await probe.close();
      await until(async () => (await connections()) === 0, 'the probe connection to close');
    });

    it('reports its state, and a close while connecting leaves no connection behind', async () => {
      const named = (role: string) =>
        host.storage.dataSource
          .query(
            `SELECT COUNT(*) AS n FROM pg_stat_activity
              WHERE datname = current_database() AND application_name LIKE $1`,
            [`syncbus ${role} %`],
          )
          .then((rows: { n: string }[]) => Number(rows[0].n));
      const options = { connectTimeoutMs: 5000, backoff: { baseDelayMs: 1000, maxDelayMs: 1000 } };
      const stateful = new QueueWakeups(database.url, createLogger({ level: 'silent' }), {
        ...options,
        role: 'probe-state',
      });
      cleanup.add(() => stateful.close());
      expect(stateful.state).toBe('unused');
      stateful.on('wakeup_probe_state').subscribe(() => undefined);
      await until(() => stateful.state === 'listening', 'the listening state');
      await host.storage.dataSource.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name LIKE 'syncbus probe-state %'`,
      );
      await until(() => stateful.state === 'reconnecting', 'the reconnecting state');
      await until(() => stateful.state === 'listening', 'the listening state again', DELIVERY_MS);
      await stateful.close();
      await until(async () => (await named('probe-state')) === 0, 'its connection to close');

      const closing = new QueueWakeups(database.url, createLogger({ level: 'silent' }), {
        ...options,
        role: 'probe-close',
      });
      const heardWhileClosing: QueueWakeup[] = [];
      closing.on('wakeup_probe_close').subscribe((w) => heardWhileClosing.push(w));
      // Closed while its connection is still opening: the connection is ended once open, nothing is emitted.
      await closing.close();
      await host.storage.dataSource.query("SELECT pg_notify('wakeup_probe_close', 'late')");
      await until(async () => (await named('probe-close')) === 0, 'no connection of the closed listener');
      expect(heardWhileClosing).toEqual([]);
    });

    it('a terminated listening connection reconnects and catches up with what was committed meanwhile', async () => {
      heard.length = 0;
      const [{ terminated }] = await host.storage.dataSource.query(
        `SELECT COUNT(pg_terminate_backend(pid)) AS terminated FROM pg_stat_activity
          WHERE application_name LIKE 'syncbus %' AND datname = current_database()`,
      );
      // The worker's listener, this test's, and the web process's (it only announces itself: it listens to nothing).
      expect(Number(terminated)).toBe(3);
      await until(() => !listener.listening, 'the test listener to notice');
      // Committed while this listener is down (it waits 750-1500 ms before reconnecting): it hears nothing of it.
      await logArticle('while down');
      await until(() => listener.listening, 'the test listener to reconnect', DELIVERY_MS);
      await until(() => heard.length > 0, 'the catch-up');
      expect(heard[0]).toEqual({ payload: undefined });
      // The worker reconnected too and delivered what was logged while it was down.
      await delivered('while down');
      expect(worker.stderr()).toContain('the queue wake-up connection was lost');
      heard.length = 0;
      await logArticle('after the reconnect');
      await delivered('after the reconnect');
      expect(heard.some((w) => w.payload !== undefined)).toBe(true);
    });
  },
);
