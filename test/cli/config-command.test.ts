// `syncbus config check` and the CLI's handling of user errors, driven as a subprocess.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';

function folderWith(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-cli-'));
  if (config !== undefined)
    writeFileSync(
      join(dir, 'syncbus.config.json'),
      typeof config === 'string' ? config : JSON.stringify(config),
    );
  return dir;
}

describe('syncbus config check', () => {
  it('accepts a valid config and prints JSON that parses', async () => {
    const run = await runCli(['config', 'check', '--json'], { cwd: folderWith({ nodeName: 'editorial' }) });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, nodeName: 'editorial' });
  });

  it('lists every wrong field with exit code 3 and no stack trace', async () => {
    const run = await runCli(['config', 'check'], {
      cwd: folderWith({ nodeName: 'bad name', database: { busyTimeoutMs: 'x' }, colour: 1 }),
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/nodeName: use letters/);
    expect(run.stderr).toMatch(/database\.busyTimeoutMs/);
    expect(run.stderr).toMatch(/colour: unknown setting/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  // One validation serves both: what `start` refuses, `config check` refuses first, with the same message.
  it.each([
    [
      'an unsupported database URL',
      { database: { url: 'mysql://me@db/cms' } },
      /database\.url: unsupported database URL 'mysql:\/\/\*\*\*@db\/cms'/,
    ],
    [
      'a connector no plugin registers',
      { connectors: [{ name: 'nope', config: {} }] },
      /connectors\.0\.name: no loaded plugin registers a connector 'nope'/,
    ],
  ])('refuses %s as start does (exit 3)', async (_, config, problem) => {
    const cwd = folderWith(config);
    const checked = await runCli(['config', 'check'], { cwd });
    const started = await runCli(['start'], { cwd });
    expect([checked.code, started.code]).toEqual([3, 3]);
    expect(checked.stderr).toMatch(problem);
    expect(started.stderr).toMatch(problem);
  });

  describe('with the auto-sync plugin', () => {
    // The host folder has the plugins installed, as `npm install` would leave them.
    const hostWith = (config: Record<string, unknown>) => {
      const dir = folderWith({ plugins: ['@syncbus/plugin-staging-autosync'], ...config });
      symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
      return dir;
    };

    it('refuses an auto-sync server the node does not have, as start does (exit 3)', async () => {
      const cwd = hostWith({ stagingAutoSync: { servers: ['nope'] } });
      const checked = await runCli(['config', 'check'], { cwd });
      const started = await runCli(['start'], { cwd });
      expect([checked.code, started.code]).toEqual([3, 3]);
      const problem = /stagingAutoSync\.servers\.0: no staging server 'nope' exists \(known: none\)/;
      expect(checked.stderr).toMatch(problem);
      expect(started.stderr).toMatch(problem);
    });

    it('accepts a server from the "servers" section, and one added to the database with servers add', async () => {
      const cwd = hostWith({
        servers: [{ name: 'qa', url: 'http://127.0.0.1:9', secret: 'env:QA_SECRET' }],
        stagingAutoSync: { servers: ['qa', 'live'] },
      });
      // Before the database exists, the check runs against an empty one: 'live' is not known yet.
      const early = await runCli(['config', 'check'], { cwd, env: { QA_SECRET: 'x'.repeat(32) } });
      expect(early.code).toBe(3);
      expect(early.stderr).toMatch(
        /stagingAutoSync\.servers\.1: no staging server 'live' exists \(known: qa\)/,
      );
      expect(early.stderr).not.toMatch(/servers\.0:/);

      expect((await runCli(['migrate'], { cwd })).code).toBe(0);
      const add = ['servers', 'add', '--name', 'live', '--url', 'http://127.0.0.1:9', '--secret', 'env:LIVE'];
      expect((await runCli(add, { cwd })).code).toBe(0);
      const run = await runCli(['config', 'check', '--json'], { cwd, env: { QA_SECRET: 'x'.repeat(32) } });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, storedState: { database: 'checked' } });
    });
  });

  it('says where it looked when there is no config, and how to fix it', async () => {
    const run = await runCli(['config', 'check'], { cwd: folderWith() });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/No config file found in .*--config FILE/);
  });

  it('reports a config that is not JSON', async () => {
    const run = await runCli(['config', 'check'], { cwd: folderWith('{ nope') });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/not valid JSON/);
  });

  it('reads a syncbus.config.ts: types are erased with the TypeScript compiler, the default export is the config', async () => {
    const dir = folderWith();
    writeFileSync(
      join(dir, 'syncbus.config.ts'),
      [
        "import type { KernelOptions } from '@syncbus/core';",
        'interface Names { readonly node: string }',
        "const names: Names = { node: 'from-typescript' };",
        "const config: KernelOptions['config'] = { nodeName: names.node, log: { level: 'warn' as const } };",
        'export default config;',
      ].join('\n'),
    );
    const run = await runCli(['config', 'check', '--json'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, nodeName: 'from-typescript' });
  });

  it('reports a syncbus.config.ts that is not valid TypeScript with exit code 3', async () => {
    const dir = folderWith();
    writeFileSync(join(dir, 'syncbus.config.ts'), 'export default { nodeName: ;');
    const run = await runCli(['config', 'check'], { cwd: dir });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/syncbus\.config\.ts.*not valid TypeScript|not valid TypeScript.*/);
  });

  it('names an unreachable database with exit code 5', async () => {
    const run = await runCli(['migrate'], {
      cwd: folderWith({ database: { url: 'postgres://nobody@127.0.0.1:1/none' } }),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/Could not open the database \(postgres\).*Check database\.url/);
  });

  it('gives usage errors exit code 2', async () => {
    const run = await runCli(['frobnicate'], { cwd: folderWith() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
