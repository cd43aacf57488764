// A connector whose check() fails is visible from the CLI (issue 18, item 9): `connectors list` in another process
// shows what holds it, in full, the tasks it holds say why, and both clear once the cause is fixed.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startNode, type StartedNode } from '../support/run-cli';
import { eventually } from '../support/staging-nodes';

describe('connector health in the CLI', () => {
  let node: StartedNode | undefined;
  afterAll(async () => {
    node?.child.kill('SIGTERM');
    if (node && node.child.exitCode === null) await new Promise((done) => node!.child.once('close', done));
  });

  it('shows a failing check on the connector and on the tasks it holds, then clears both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncbus-connector-health-'));
    // The host folder has the plugins installed, as `npm install` would leave them.
    symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
    const folder = join(dir, 'missing');
    const config = join(dir, 'syncbus.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        nodeName: 'editorial',
        // Two processes share the file; under a loaded machine give a writer time for the other's transaction.
        database: { url: `sqlite:${join(dir, 'editorial.sqlite')}`, busyTimeoutMs: 20_000 },
        http: { port: 0 },
        plugins: ['@syncbus/sample-content-model', '@syncbus/connector-ndjson'],
        integration: { pollIntervalMs: 50, retry: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 300 } },
        connectors: [{ name: 'ndjson', config: { path: join(folder, 'tasks.ndjson') } }],
      }),
    );
    const cli = (...args: string[]) => runCli(['-c', config, ...args], { cwd: dir });
    const connectors = async () =>
      JSON.parse((await cli('connectors', 'list', '--json')).stdout) as {
        name: string;
        paused: { reason: string; until: number | null } | null;
      }[];
    node = await startNode(config);

    // The running node's drain checks the connector; another process reads what it found.
    const paused = await eventually(
      async () => (await connectors()).find((c) => c.name === 'ndjson')?.paused,
      'connectors list to show the failing check',
      45_000,
    );
    expect(paused!.reason).toMatch(
      /check\(\) failed: cannot write to .*missing \(ENOENT\); create the folder/,
    );
    expect(paused!.until).toEqual(expect.any(Number));
    // For people too, not cut before the cause.
    const table = await cli('connectors', 'list');
    expect(table.stdout).toMatch(/ndjson .*create the folder or fix its permissions \(next check /);

    // A change logged now waits, and says what holds it.
    const objects = join(dir, 'objects.json');
    writeFileSync(
      objects,
      JSON.stringify({
        objects: [{ objectType: 'cms.article', objectGuid: 'held-1', data: { title: 'Held' } }],
      }),
    );
    const imported = await cli('objects', 'import', objects);
    expect({ code: imported.code, stderr: imported.stderr }).toEqual({ code: 0, stderr: '' });
    const held = await eventually(
      async () => {
        const rows = JSON.parse((await cli('tasks', 'list', '--connector', 'ndjson', '--json')).stdout) as {
          lastError: string | null;
        }[];
        return rows[0]?.lastError ?? undefined;
      },
      'the held task to say why it waits',
      45_000,
    );
    expect(held).toMatch(/connector 'ndjson' cannot work now: check\(\) failed: cannot write to/);
    const listed = await cli('tasks', 'list', '--connector', 'ndjson');
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/create the folder or fix its permissions/);

    // Fixed: the next probe passes, the row's problem clears and the task goes out.
    mkdirSync(folder);
    await eventually(
      async () => (await connectors()).find((c) => c.name === 'ndjson')?.paused === null,
      'the problem to clear once the folder exists',
      45_000,
    );
    await eventually(
      async () =>
        (JSON.parse((await cli('tasks', 'list', '--connector', 'ndjson', '--json')).stdout) as unknown[])
          .length === 0,
      'the held task to be written out',
      45_000,
    );
  }, 150_000);
});
