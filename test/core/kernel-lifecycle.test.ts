// The kernel loads a plugin package by name from config and drives its modules' lifecycle in dependency order.
import { Kernel, PluginLoadError, ConfigError, createLogger } from '@syncbus/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const journal = () => ((globalThis as { __lifecycleJournal?: string[] }).__lifecycleJournal ??= []);
const silent = createLogger({ level: 'silent' });
const database = () => ({
  url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'syncbus-core-')), 'node.sqlite')}`,
});

describe('kernel lifecycle', () => {
  beforeEach(() => journal().splice(0));

  it('loads modules from a plugin named in config, inits and starts dependencies first, stops in reverse', async () => {
    const kernel = await Kernel.boot({
      config: {
        database: database(),
        plugins: ['@syncbus-fixtures/lifecycle-plugin'],
        greeter: { greeting: 'hi' },
      },
      logger: silent,
    });
    expect(kernel.modules.map((m) => m.name)).toEqual(['StorageFixture', 'Greeter']);
    expect(kernel.plugins.map((p) => p.packageName)).toEqual(['@syncbus-fixtures/lifecycle-plugin']);
    await kernel.stop();
    expect(journal()).toEqual([
      'StorageFixture.onInit',
      'Greeter.onInit',
      'StorageFixture.onStart',
      'Greeter.onStart:hi',
      'Greeter.onStop',
      'StorageFixture.onStop',
    ]);
  });

  it('names a missing plugin package and says how to install it', async () => {
    const boot = Kernel.boot({
      config: { database: database(), plugins: ['@syncbus-fixtures/not-there'] },
      logger: silent,
    });
    await expect(boot).rejects.toBeInstanceOf(PluginLoadError);
    await expect(boot).rejects.toThrow(
      /'@syncbus-fixtures\/not-there'.*npm install @syncbus-fixtures\/not-there/s,
    );
  });

  it('refuses a package without a syncbus manifest', async () => {
    const boot = Kernel.boot({ config: { database: database(), plugins: ['zod'] }, logger: silent });
    await expect(boot).rejects.toThrow(/'zod'.*"syncbus": \{ "modules"/s);
  });

  it('lists every wrong field of a bad config by path, including plugin sections', async () => {
    const boot = Kernel.boot({
      config: {
        nodeName: 'has spaces',
        database: { url: 42, busyTimeoutMs: -1 },
        plugins: ['@syncbus-fixtures/lifecycle-plugin'],
        greeter: { greeting: '', extra: true },
        colour: 'blue',
      },
      logger: silent,
    });
    const error = (await boot.catch((e) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems.map((p) => p.path).sort()).toEqual(
      ['colour', 'database.busyTimeoutMs', 'database.url', 'greeter', 'greeter.greeting', 'nodeName'].sort(),
    );
    expect(error.message).toContain('colour: unknown setting');
    expect(journal()).toEqual([]);
  });
});
