// Pause is not disable (issue 18, item 10): a paused server or connector keeps getting tasks for every change and
// is sent none until it is resumed, then gets them all; a disabled one gets no tasks for changes made meanwhile.
import { StagingReceivedTask } from '@syncbus/staging/internal';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Article } from '../support/content-model';
import { freePort } from '../support/free-port';
import { runCli, startNode, type StartedNode } from '../support/run-cli';
import { bootStagingNode, createTestSecret, eventually, type StagingNode } from '../support/staging-nodes';

/** A host folder with the plugins installed and a config; `cli` runs syncbus against it. */
function hostFolder(prefix: string, config: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
  const file = join(dir, 'syncbus.config.json');
  // A running node and the CLI share the file: under a loaded machine give a writer time for the other's transaction.
  writeFileSync(
    file,
    JSON.stringify({
      database: { url: `sqlite:${join(dir, 'node.sqlite')}`, busyTimeoutMs: 20_000 },
      ...config,
    }),
  );
  let imports = 0;
  const migrated = runCli(['-c', file, 'migrate'], { cwd: dir });
  return {
    dir,
    file,
    /** `syncbus migrate` on the new database, as an operator runs it before other commands. */
    migrated,
    cli: (args: string[], env?: NodeJS.ProcessEnv) => runCli(['-c', file, ...args], { cwd: dir, env }),
    /** Imports one article through the CLI, as a change on the node. */
    async change(guid: string, env?: NodeJS.ProcessEnv) {
      const objects = join(dir, `objects-${++imports}.json`);
      writeFileSync(
        objects,
        JSON.stringify({ objects: [{ objectType: 'cms.article', objectGuid: guid, data: { title: guid } }] }),
      );
      const run = await runCli(['-c', file, 'objects', 'import', objects], { cwd: dir, env });
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    },
  };
}

describe('pausing and resuming a server', () => {
  let target: StagingNode | undefined;
  afterAll(() => target?.stop());

  it('logs tasks while paused, sends none, then sends them all once resumed; disabling logs none', async () => {
    const secret = createTestSecret();
    const port = await freePort();
    target = await bootStagingNode({
      name: 'production',
      acceptFrom: [{ server: 'editorial', secret }],
      httpSettings: { port },
    });
    const env = { [secret.variable]: secret.value };
    const host = hostFolder('syncbus-pause-server-', {
      nodeName: 'editorial',
      plugins: ['@syncbus/sample-content-model'],
    });
    expect((await host.migrated).code).toBe(0);
    // Added by the CLI, not the config: a config's `servers` section would switch it back on at every start.
    const added = await host.cli(
      ['servers', 'add', '--name', 'production', '--url', `http://127.0.0.1:${port}`, '--secret', secret.ref],
      env,
    );
    expect(added.code).toBe(0);
    const waiting = async () =>
      (
        JSON.parse(
          (await host.cli(['tasks', 'list', '--server', 'production', '--json'], env)).stdout,
        ) as unknown[]
      ).length;
    const arrived = () => target!.storage.dataSource.getRepository(Article).find({ order: { guid: 'ASC' } });

    const paused = await host.cli(['servers', 'pause', 'production', '--json'], env);
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ name: 'production', enabled: true, paused: true });
    await host.change('while-paused', env);
    expect(await waiting()).toBe(1); // logged, unlike a disabled server

    const all = await host.cli(['tasks', 'sync'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      /production: paused, nothing sent \('syncbus servers resume production' sends it\)/,
    );
    const named = await host.cli(['tasks', 'sync', '--server', 'production'], env);
    expect(named.code).toBe(1);
    expect(named.stderr).toMatch(/'production' is paused, so nothing was sent; .*Resume it to synchronize/);
    expect(await arrived()).toEqual([]);
    expect(await target.storage.dataSource.getRepository(StagingReceivedTask).count()).toBe(0);

    expect((await host.cli(['servers', 'resume', 'production'], env)).stdout).toMatch(
      /resumed server 'production'/,
    );
    const sent = await host.cli(['tasks', 'sync'], env);
    expect(sent.stdout).toMatch(/production: sent 1, applied 1/);
    expect((await arrived()).map((a) => a.guid)).toEqual(['while-paused']);

    // Disabled: a change made meanwhile gets no task for the server at all (Kentico's meaning).
    await host.cli(['servers', 'disable', 'production'], env);
    await host.change('while-disabled', env);
    expect(await waiting()).toBe(0);
  });
});

describe('pausing and resuming a connector on a running node', () => {
  let node: StartedNode | undefined;
  afterAll(async () => {
    node?.child.kill('SIGTERM');
    if (node && node.child.exitCode === null) await new Promise((done) => node!.child.once('close', done));
  });

  it('holds its tasks while paused, says so, and processes them once resumed', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'syncbus-pause-out-')), 'tasks.ndjson');
    const host = hostFolder('syncbus-pause-connector-', {
      nodeName: 'editorial',
      http: { port: 0 },
      plugins: ['@syncbus/sample-content-model', '@syncbus/connector-ndjson'],
      integration: { pollIntervalMs: 50 },
      connectors: [{ name: 'ndjson', config: { path: out } }],
    });
    expect((await host.migrated).code).toBe(0);
    node = await startNode(host.file);
    const lines = () => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean) : []);

    await host.change('before-pause');
    await eventually(() => lines().length === 1, 'the first change to be written out', 20_000);

    const paused = await host.cli(['connectors', 'pause', 'ndjson', '--json']);
    expect(JSON.parse(paused.stdout)).toEqual({ name: 'ndjson', enabled: true, paused: true });
    await host.change('while-paused');
    const held = await eventually(
      async () => {
        const rows = JSON.parse(
          (await host.cli(['tasks', 'list', '--connector', 'ndjson', '--json'])).stdout,
        ) as {
          objectGuid: string;
          lastError: string | null;
        }[];
        return rows[0]?.lastError ? rows : undefined;
      },
      'the held task to say it waits for a resume',
      20_000,
    );
    expect(held).toEqual([
      expect.objectContaining({
        objectGuid: 'while-paused',
        lastError: "connector 'ndjson' is paused; its tasks wait until it is resumed",
      }),
    ]);
    expect((await host.cli(['connectors', 'list'])).stdout).toMatch(/ndjson .*\bpaused\b/);
    expect(lines()).toHaveLength(1);

    const resumed = await host.cli(['connectors', 'resume', 'ndjson']);
    expect({ code: resumed.code, stderr: resumed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(resumed.stdout).toMatch(/resumed connector 'ndjson'/);
    await eventually(() => lines().length === 2, 'the held change to be written once resumed', 20_000);
    expect(lines().map((l) => (JSON.parse(l) as { objectGuid: string }).objectGuid)).toEqual([
      'before-pause',
      'while-paused',
    ]);
  });
});
