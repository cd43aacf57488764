// `syncbus connectors ...` on a node whose config loads the scripted fixture connectors by package name.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';

describe('syncbus connectors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'syncbus-cli-connectors-'));
    // The host folder has the plugins installed, as `npm install` would leave them.
    symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(
      join(dir, 'syncbus.config.json'),
      JSON.stringify({
        plugins: ['@syncbus-fixtures/scripted-connector'],
        connectors: [{ name: 'alpha', config: { endpoint: 'http://127.0.0.1:9/crm' } }],
      }),
    );
    // Commands that manage rows never change the schema: the operator migrates first.
    expect((await runCli(['migrate'], { cwd: dir })).code).toBe(0);
  });
  const cli = (...args: string[]) => runCli(args, { cwd: dir });

  it('lists connectors with their package, state and queue', async () => {
    const run = await cli('connectors', 'list', '--json');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      name: string;
      enabled: boolean;
      package: string;
      paused: { reason: string } | null;
    }[];
    expect(rows.map((r) => [r.name, r.enabled, r.package])).toEqual([
      ['alpha', true, '@syncbus-fixtures/scripted-connector'],
      ['beta', false, '@syncbus-fixtures/scripted-connector'],
    ]);
    expect(rows[0].paused).toBeNull();
    expect(rows[1].paused?.reason).toMatch(/not listed in "connectors"/);
  });

  it('checks the enabled connectors, disables and enables one, and names an unknown one', async () => {
    const check = await cli('connectors', 'check');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/alpha\s+yes\s+ok/);
    expect((await cli('connectors', 'disable', 'alpha')).stdout).toMatch(/disabled connector 'alpha'/);
    // Every command boots a node from the config: a later one must not switch alpha back on.
    const enabledOf = async (name: string) => {
      const rows = JSON.parse((await cli('connectors', 'list', '--json')).stdout) as {
        name: string;
        enabled: boolean;
      }[];
      return rows.find((r) => r.name === name)?.enabled;
    };
    expect(await enabledOf('alpha')).toBe(false);
    expect((await cli('connectors', 'enable', 'alpha')).stdout).toMatch(/enabled connector 'alpha'/);
    expect(await enabledOf('alpha')).toBe(true);
    const unknown = await cli('connectors', 'enable', 'nope');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/No integration connector named 'nope'/);
  });
});
