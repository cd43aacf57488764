// Cross-process wake-ups of the integration bus on PostgreSQL: a web process (no auto-sync plugin, processing
// switched off) logs integration tasks; a worker process (a real child with the integration auto-sync plugin, its
// poll set to ten minutes) has its connector process them at once because the commit NOTIFYs it, outgoing and
// incoming; a rolled-back change wakes nobody and reaches no connector.
import { createLogger, Kernel, Storage } from '@syncbus/core';
import { QueueWakeups } from '@syncbus/core/internal';
import {
  IntegrationConnectorInfoProvider,
  IntegrationConnectorRegistry,
  IntegrationHelper,
  IntegrationModule,
} from '@syncbus/integration';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Cleanup, probePostgres, tempDir } from '../reliability/chaos-support';
import { Article, contentModel } from '../support/content-model';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { until } from '../support/until';
import type { IntegrationWorkerOptions } from './integration-worker-host';
import { recordedTasks, RecordingConnector, type RecordedTask } from './recording-connector';

const postgres = probePostgres();
const describeWithPostgres = postgres.reachable ? describe : describe.skip;
const OUTGOING = 'integration_synchronization';
const INCOMING = 'integration_external_synchronization';
/** Both processes' poll: far above every wait below, so only a wake-up can have the worker process in time. */
const POLL_MS = 600_000;
const PROCESS_MS = 10_000;

const root = resolve(__dirname, '../..');
const workerScript = join(root, 'test/dist/integration/integration-worker-host.js');
/** Fails unless the worker's compiled files exist and are newer than their sources (the child runs this tree's code). */
function assertWorkerBuilt(): void {
  for (const name of ['integration-worker-host', 'recording-connector']) {
    const built = join(root, `test/dist/integration/${name}.js`);
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(__dirname, `${name}.ts`)).mtimeMs)
      throw new Error(`${built} is missing or older than its source; run \`npx tsc -b\` first.`);
  }
}

/** The worker child: its pid, and its log for failure messages. */
interface WorkerProcess {
  readonly pid: number;
  stderr(): string;
  assertAlive(): void;
}

/** Starts the worker host; resolves once it is booted. Killed at clean-up. */
async function startWorker(cleanup: Cleanup, options: IntegrationWorkerOptions): Promise<WorkerProcess> {
  const env = { ...process.env };
  for (const name of ['SYNCBUS_DATABASE_URL', 'SYNCBUS_NODE_NAME', 'SYNCBUS_LOG_LEVEL']) delete env[name];
  const child = spawn(process.execPath, [workerScript, JSON.stringify(options)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-20_000)));
  let exit: string | undefined;
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exit = String(code ?? signal);
      done();
    }),
  );
  cleanup.add(async () => {
    if (exit === undefined) child.kill('SIGKILL');
    await exited;
  });
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the worker did not boot in 20 s; its log:\n${log}`)),
      20_000,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('"event":"ready"')) {
        clearTimeout(timer);
        done();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`the worker exited (${exit}) before booting; its log:\n${log}`));
    });
  });
  return {
    pid: child.pid!,
    stderr: () => log,
    assertAlive() {
      if (exit !== undefined) throw new Error(`the worker died (${exit}); its log:\n${log}`);
    },
  };
}

describeWithPostgres(
  `integration wake-ups across processes on PostgreSQL${postgres.reachable ? '' : ` (skipped: PostgreSQL unreachable: ${postgres.reason})`}`,
  () => {
    const cleanup = new Cleanup();
    let database: TestDatabase;
    let recordFile: string;
    let web: Kernel;
    let storage: Storage;
    let worker: WorkerProcess;
    let connectorId: number;
    /** This test's own listener on both channels. */
    let listener: QueueWakeups;
    const heard: { channel: string; payload?: string }[] = [];

    beforeAll(async () => {
      assertWorkerBuilt();
      const created = await createTestDatabase('integration_wakeups');
      if (!created) throw new Error('PostgreSQL answered the probe but no test database could be created');
      database = created;
      cleanup.add(() => database.drop());
      recordFile = join(tempDir(cleanup, 'integration-wakeups'), 'recorded.ndjson');
      const connectors = [{ name: 'recorder', config: { file: recordFile } }];
      // The web process: no auto-sync plugin; its drains still run (the integration module starts them), so
      // processing is switched off rather than the connector disabled, which would stop its tasks being logged.
      web = await Kernel.boot({
        config: {
          database: { url: database.url },
          integration: { pollIntervalMs: POLL_MS, processInternal: false, processExternal: false },
          connectors,
        },
        modules: [IntegrationModule, RecordingConnector],
        ...contentModel,
        logger: createLogger({ level: 'silent' }),
      });
      cleanup.add(() => web.stop());
      storage = web.get(Storage);
      connectorId = web.get(IntegrationConnectorRegistry).get('recorder').id;
      worker = await startWorker(cleanup, {
        databaseUrl: database.url,
        recordFile,
        integration: { pollIntervalMs: POLL_MS },
      });
      listener = new QueueWakeups(database.url, createLogger({ level: 'silent' }));
      cleanup.add(() => listener.close());
      for (const channel of [OUTGOING, INCOMING])
        listener.on(channel).subscribe(({ payload }) => heard.push({ channel, payload }));
      // Both listening connections (the worker's and this test's) have sent their last LISTEN: from here on every
      // commit reaches the worker as a notification, not as the catch-up that follows its connect.
      await until(async () => {
        const [{ n }] = await storage.dataSource.query(
          `SELECT COUNT(*) AS n FROM pg_stat_activity
            WHERE application_name LIKE 'syncbus %' AND datname = current_database()
              AND state = 'idle' AND query = $1`,
          [`LISTEN ${INCOMING}`],
        );
        return Number(n) === 2;
      }, 'both listening connections to listen');
      await until(() => listener.listening && heard.length === 2, 'the test listener to catch up');
    }, 60_000);
    afterAll(() => cleanup.run());

    /** Saves an article in the web process (rolled back when told): the integration bus logs a task with it. */
    const logArticle = async (title: string, rollBack = false) => {
      const guid = randomUUID();
      await storage
        .transaction(async (manager) => {
          await manager.getRepository(Article).save({ guid, title });
          if (rollBack) throw new Error('the web process rolls back');
        })
        .catch((error: Error) => {
          if (!rollBack || error.message !== 'the web process rolls back') throw error;
        });
      return guid;
    };
    const recorded = (direction: RecordedTask['direction'], guid: string) =>
      recordedTasks(recordFile).filter((r) => r.direction === direction && r.objectGuid === guid);
    const queueEmpty = async (table: string) =>
      Number((await storage.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n) === 0;
    /** The worker's connector handled the task of `guid` within the wait, and the queue is settled. */
    const processed = async (direction: RecordedTask['direction'], guid: string) => {
      const [record] = await until(
        () => {
          const records = recorded(direction, guid);
          return records.length > 0 && records;
        },
        `the ${direction} task of ${guid} at the connector`,
        PROCESS_MS,
      );
      await until(
        () => queueEmpty(direction === 'outgoing' ? OUTGOING : INCOMING),
        `the ${direction} queue to settle`,
        PROCESS_MS,
      );
      worker.assertAlive();
      expect(record.pid).toBe(worker.pid);
      expect(recorded(direction, guid)).toHaveLength(1);
    };

    it('processes an outgoing task logged in another process at its commit, without waiting for the poll', async () => {
      await processed('outgoing', await logArticle('first'));
      // Logged once the worker has settled and gone back to sleep for its ten-minute poll.
      for (const title of ['second', 'third']) {
        heard.length = 0;
        await processed('outgoing', await logArticle(title));
        expect(heard).toContainEqual({ channel: OUTGOING, payload: String(connectorId) });
      }
      expect(recordedTasks(recordFile).every((r) => r.pid === worker.pid)).toBe(true);
    });

    it('a rolled-back change logs nothing, wakes nobody and reaches no connector', async () => {
      heard.length = 0;
      const guid = await logArticle('rolled back', true);
      const tasks = await storage.dataSource.query('SELECT id FROM integration_task WHERE object_guid = $1', [
        guid,
      ]);
      expect(tasks).toEqual([]);
      // PostgreSQL delivers notifications in commit order: once the sentinel is heard, anything the rolled-back
      // transaction had sent would have been heard before it.
      await storage.dataSource.query('SELECT pg_notify($1, $2)', [OUTGOING, 'sentinel']);
      await until(() => heard.some((w) => w.payload === 'sentinel'), 'the sentinel');
      expect(heard).toEqual([{ channel: OUTGOING, payload: 'sentinel' }]);
      await processed('outgoing', await logArticle('after the rollback'));
      expect(recorded('outgoing', guid)).toEqual([]);
    });

    it('processes an incoming task logged in another process at its commit', async () => {
      heard.length = 0;
      const externalId = randomUUID();
      await web
        .get(IntegrationHelper)
        .processExternalTask('recorder', { guid: externalId, title: 'from outside' }, 'create', {
          objectType: 'cms.article',
          externalId,
        });
      await processed('incoming', externalId);
      expect(heard).toContainEqual({ channel: INCOMING, payload: String(connectorId) });
      // Applied by the worker to the shared database, and not sent back to the connector it came from.
      const rows = await storage.dataSource.query('SELECT title FROM article WHERE guid = $1', [externalId]);
      expect(rows).toEqual([{ title: 'from outside' }]);
      expect(recorded('outgoing', externalId)).toEqual([]);
      expect(await queueEmpty(OUTGOING)).toBe(true);
    });

    it('a connector enabled in another process processes what waited at once', async () => {
      const infos = web.get(IntegrationConnectorInfoProvider);
      const externalId = randomUUID();
      await infos.setIntegrationConnectorEnabled('recorder', false);
      try {
        await web
          .get(IntegrationHelper)
          .processExternalTask('recorder', { guid: externalId, title: 'while disabled' }, 'create', {
            objectType: 'cms.article',
            externalId,
          });
        // Woken by the commit, the worker reads the connector's row and puts the task off (an hour).
        await until(
          async () => {
            const [row] = await storage.dataSource.query(
              'SELECT next_attempt_at FROM integration_external_synchronization WHERE connector_id = $1',
              [connectorId],
            );
            return row && Number(row.next_attempt_at) > Date.now() + 60_000;
          },
          'the worker to hold the task of the disabled connector',
          PROCESS_MS,
        );
        expect(recorded('incoming', externalId)).toEqual([]);
      } finally {
        // Enabled here; the worker learns of it only through the wake-up of the rows made due again.
        await infos.setIntegrationConnectorEnabled('recorder', true);
      }
      await processed('incoming', externalId);
    });
  },
);
