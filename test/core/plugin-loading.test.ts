// Plugin packages installed in a host's folder: each way one can be broken gets a PluginLoadError that names the
// package and the fix. The packages are written into a temporary host's node_modules, as npm would install them.
import { Kernel, PluginLoadError } from '@syncbus/core';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { captureLogger } from '../support/captured-logger';

/** A host folder with the given files under node_modules (paths relative to node_modules). */
function hostWith(files: Record<string, string | object>): string {
  const host = mkdtempSync(join(tmpdir(), 'syncbus-host-'));
  for (const [path, content] of Object.entries(files)) {
    const file = join(host, 'node_modules', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return host;
}

const manifest = (name: string, extra: object = {}) => ({
  name,
  version: '1.2.3',
  syncbus: { modules: 'dist/index.js' },
  ...extra,
});

const boot = (host: string, plugin: string) =>
  Kernel.boot({
    baseDir: host,
    config: { database: { url: `sqlite:${join(host, 'node.sqlite')}` }, plugins: [plugin] },
    logger: captureLogger('warn').logger,
  });

describe('plugin loading from a host folder', () => {
  it('refuses a plugin whose entry registers nothing, naming the package and the decorator to use', async () => {
    const host = hostWith({
      '@acme/empty-plugin/package.json': manifest('@acme/empty-plugin'),
      '@acme/empty-plugin/dist/index.js': 'exports.helper = () => 42;\nexports.Thing = class Thing {};\n',
    });
    const error = await boot(host, '@acme/empty-plugin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect(error).toMatchObject({ code: 'PLUGIN_LOAD_FAILED', packageName: '@acme/empty-plugin' });
    expect((error as Error).message).toMatch(
      /'@acme\/empty-plugin'.*entry 'dist\/index\.js' registers nothing.*@RegisterModule\(\)/s,
    );
  });

  it('reports an entry that throws while importing, with the cause kept', async () => {
    const host = hostWith({
      'broken-plugin/package.json': manifest('broken-plugin'),
      'broken-plugin/dist/index.js': "throw new Error('cannot find the config it expected');\n",
    });
    const error = (await boot(host, 'broken-plugin').catch((e: unknown) => e)) as PluginLoadError;
    expect(error).toBeInstanceOf(PluginLoadError);
    expect(error.message).toContain(
      "importing its entry 'dist/index.js' failed: cannot find the config it expected",
    );
    expect((error.cause as Error).message).toBe('cannot find the config it expected');
  });

  it('reports an unbuilt plugin (entry file missing) and asks whether it is built', async () => {
    const host = hostWith({ 'unbuilt-plugin/package.json': manifest('unbuilt-plugin') });
    await expect(boot(host, 'unbuilt-plugin')).rejects.toThrow(/'unbuilt-plugin'.*Is the package built/s);
  });

  it('finds a plugin whose exports map hides its package.json, and loads its modules', async () => {
    const host = hostWith({
      'sealed-plugin/package.json': manifest('sealed-plugin', { exports: { '.': './dist/index.js' } }),
      'sealed-plugin/dist/index.js': [
        "const { Module, RegisterModule } = require('@syncbus/core');",
        'class SealedModule extends Module { constructor() { super("Sealed"); } }',
        'RegisterModule()(SealedModule);',
        'exports.SealedModule = SealedModule;',
      ].join('\n'),
    });
    const kernel = await boot(host, 'sealed-plugin');
    try {
      expect(kernel.plugins).toEqual([
        { packageName: 'sealed-plugin', version: '1.2.3', classes: [expect.any(Function)] },
      ]);
      expect(kernel.modules.map((m) => m.name)).toEqual(['Sealed']);
    } finally {
      await kernel.stop();
    }
  });

  it('loads a plugin by the path of its folder, relative to the config or absolute', async () => {
    const host = mkdtempSync(join(tmpdir(), 'syncbus-host-'));
    mkdirSync(join(host, 'models', 'cms', 'dist'), { recursive: true });
    writeFileSync(join(host, 'models', 'cms', 'package.json'), JSON.stringify(manifest('@acme/cms-model')));
    writeFileSync(
      join(host, 'models', 'cms', 'dist', 'index.js'),
      [
        "const { Module, RegisterModule } = require('@syncbus/core');",
        'class CmsModelModule extends Module { constructor() { super("CmsModel"); } }',
        'RegisterModule()(CmsModelModule);',
        'exports.CmsModelModule = CmsModelModule;',
      ].join('\n'),
    );
    for (const entry of ['./models/cms', join(host, 'models', 'cms')]) {
      const kernel = await boot(host, entry);
      try {
        // The package's own name, not the path, is what the node reports.
        expect(kernel.plugins).toEqual([
          { packageName: '@acme/cms-model', version: '1.2.3', classes: [expect.any(Function)] },
        ]);
        expect(kernel.modules.map((m) => m.name)).toEqual(['CmsModel']);
      } finally {
        await kernel.stop();
      }
    }
  });

  it('refuses a plugin path with no package there, naming the folder it looked in', async () => {
    const host = mkdtempSync(join(tmpdir(), 'syncbus-host-'));
    const error = (await boot(host, './models/missing').catch((e: unknown) => e)) as PluginLoadError;
    expect(error).toBeInstanceOf(PluginLoadError);
    expect(error.message).toContain(`no package.json at ${join(host, 'models', 'missing', 'package.json')}`);
    expect(error.message).toMatch(/relative to the config file's folder/);
  });
});
