// `syncbus tasks sync` is a person asking for a synchronization (Kentico's Synchronize): it sends what waits now,
// including tasks that an earlier outage left waiting out a backoff, instead of "sent 0, still pending".
import { StagingTaskRunnerFactory, SynchronizationInfoProvider } from '@syncbus/staging';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Article } from '../support/content-model';
import { freePort } from '../support/free-port';
import { runCli } from '../support/run-cli';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

const root = resolve(__dirname, '..', '..');

describe('syncbus tasks sync after an outage', () => {
  let target: StagingNode | undefined;
  afterAll(() => target?.stop());

  it('sends tasks that wait out a backoff, keeping their attempts', async () => {
    const secret = createTestSecret();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'syncbus-sync-backoff-'));
    const databaseUrl = `sqlite:${join(dir, 'editorial.sqlite')}`;

    // The target is down: a run fails as a whole and the outage postpones both tasks by a minute.
    const source = await bootStagingNode({
      name: 'editorial',
      databaseUrl,
      http: false,
      servers: [{ name: 'production', url, secret }],
    });
    const articles = source.storage.dataSource.getRepository(Article);
    await articles.save({ guid: 'b-1', title: 'One' });
    await articles.save({ guid: 'b-2', title: 'Two' });
    const [{ id: serverId }] = await source.storage.dataSource.query(
      "SELECT id FROM staging_server WHERE name = 'production'",
    );
    const failed = await source.kernel.get(StagingTaskRunnerFactory).create(serverId).runSynchronization();
    expect(failed.error).toBeDefined();
    const waiting = await source.kernel.get(SynchronizationInfoProvider).list();
    expect(waiting.map((t) => t.nextAttemptAt > Date.now() + 30_000)).toEqual([true, true]);
    expect(waiting.map((t) => t.attempts)).toEqual([0, 0]); // an outage counts no attempt
    await source.stop();

    target = await bootStagingNode({
      name: 'production',
      acceptFrom: [{ server: 'editorial', secret }],
      httpSettings: { port },
    });
    const config = join(dir, 'syncbus.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        nodeName: 'editorial',
        database: { url: databaseUrl },
        plugins: ['@syncbus/sample-content-model'],
        servers: [{ name: 'production', url, secret: secret.ref }],
      }),
    );
    const migrated = await runCli(['-c', config, 'migrate'], {
      cwd: root,
      env: { [secret.variable]: secret.value },
    });
    expect(migrated.code).toBe(0);
    const run = await runCli(['-c', config, 'tasks', 'sync'], {
      cwd: root,
      env: { [secret.variable]: secret.value },
    });
    expect(run.stdout).toMatch(/production: sent 2, applied 2, duplicates 0, failed 0, still pending 0/);
    expect(run.code).toBe(0);
    const arrived = await target.storage.dataSource.getRepository(Article).find({ order: { guid: 'ASC' } });
    expect(arrived.map((a) => a.guid)).toEqual(['b-1', 'b-2']);
  });
});
