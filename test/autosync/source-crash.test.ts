// A source node killed with SIGKILL in the middle of a drain (a batch on the wire, its answer never read), then
// started again: every task of the backlog is applied on the target exactly once. The source runs the compiled
// code in a child process; the target and a proxy that can hold requests run in the test process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { Article } from '../support/content-model';
import {
  bootStagingNode,
  createTestSecret,
  eventually,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import type { SourceHostOptions } from './autosync-source-host';
import { bootSource } from './autosync-nodes';
import { startGatedProxy, type GatedProxy } from './gated-proxy';

const root = resolve(__dirname, '../..');
const hostSource = join(root, 'test/autosync/autosync-source-host.ts');
const hostScript = join(root, 'test/dist/autosync/autosync-source-host.js');

/** Starts the source host; resolves once it is booted. */
async function startHost(
  options: SourceHostOptions,
): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [hostScript, JSON.stringify(options)], {
    cwd: root,
    // Jest gives each test file its own copy of process.env: pass it on, with the secret the test exported.
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the source host did not boot in 20 s; stderr:\n${stderr}`)),
      20_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if ((JSON.parse(line) as { event: string }).event === 'ready') {
        clearTimeout(timer);
        ready();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`the source host exited (${code}) before booting; stderr:\n${stderr}`));
    });
  });
  return { child, exited };
}

describe('a source killed mid-drain (child process)', () => {
  let secret: TestSecret;
  let target: StagingNode;
  let proxy: GatedProxy;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    // The child runs compiled code, as a deployed node does; make sure it is the code in this tree.
    if (!existsSync(hostScript) || statSync(hostScript).mtimeMs < statSync(hostSource).mtimeMs) {
      throw new Error(`${hostScript} is missing or older than its source; run \`npm run build\` first.`);
    }
  });
  beforeEach(async () => {
    secret = createTestSecret();
    target = await bootStagingNode({ name: 'target', acceptFrom: [{ server: 'source', secret }] });
    proxy = await startGatedProxy(target.url!);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await proxy.close();
    await target.stop();
    delete process.env[secret.variable];
  });

  it('after SIGKILL and a restart, every task of the backlog is applied on the target exactly once', async () => {
    const databaseUrl = tempSqliteUrl('autosync-crash');
    const servers = [{ name: 'target', url: proxy.url, secret }];
    // The backlog: 300 articles created and then edited, logged while no auto-sync runs.
    const backlog = await bootSource({ databaseUrl, servers, plugins: [] });
    const articles = backlog.storage.dataSource.getRepository(Article);
    for (let i = 0; i < 300; i++) await articles.save({ guid: `k-${i}`, title: `Kill ${i}` });
    for (let i = 0; i < 300; i++) {
      const article = await articles.findOneByOrFail({ guid: `k-${i}` });
      article.views = 1;
      await articles.save(article);
    }
    const logged: string[] = (await backlog.storage.dataSource.query('SELECT guid FROM staging_task')).map(
      (row: { guid: string }) => row.guid,
    );
    await backlog.kernel.stop();
    expect(logged).toHaveLength(600);

    const options: SourceHostOptions = {
      databaseUrl,
      servers: [{ name: 'target', url: proxy.url, secret: secret.ref }],
      staging: { batchSize: 20, leaseMs: 1000, requestTimeoutMs: 30_000 },
      stagingAutoSync: { pollIntervalMs: 200 },
    };
    // The sixth request is held at the proxy: the source has sent it and waits for the answer when it dies.
    proxy.delayMs = 5;
    proxy.hold(6);
    const first = await startHost(options);
    children.push(first.child);
    await eventually(() => proxy.held === 1, 'the sixth batch to be on the wire', 20_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    // The batch reaches the target after the source died: applied there, its outcome never recorded at the source.
    proxy.release();
    await eventually(() => proxy.inFlight === 0, 'the held batch to be answered');
    const appliedBeforeRestart = proxy.outcomes.applied;
    expect(appliedBeforeRestart).toBe(6 * 20);

    const second = await startHost(options);
    children.push(second.child);
    const source = new Database(databaseUrl.slice('sqlite:'.length), { fileMustExist: true });
    try {
      await eventually(
        () =>
          (source.prepare('SELECT COUNT(*) AS n FROM staging_synchronization').get() as { n: number }).n ===
          0,
        'the restarted source to drain its queue',
        30_000,
      );
    } finally {
      source.close();
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const ledger: { task_guid: string; n: number }[] = await target.storage.dataSource.query(
      `SELECT task_guid, COUNT(*) AS n FROM staging_received_task WHERE source_server = 'source' GROUP BY task_guid`,
    );
    expect(ledger.map((row) => row.task_guid).sort()).toEqual([...logged].sort());
    expect(ledger.every((row) => Number(row.n) === 1)).toBe(true);
    // The held batch was sent again after the restart and answered duplicate: redelivered, applied once.
    expect(proxy.outcomes.duplicate).toBeGreaterThanOrEqual(20);
    expect(proxy.outcomes.applied).toBe(600);
    const onTarget = await target.storage.dataSource.getRepository(Article).find();
    expect(onTarget).toHaveLength(300);
    expect(onTarget.every((a) => a.views === 1)).toBe(true);
  }, 120_000);
});
