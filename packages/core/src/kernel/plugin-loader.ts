// Loads plugin packages by npm name or folder path: reads their package.json manifest, imports the entry, collects
// what registered.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { PluginLoadError } from '../errors';
import { registeredSince, registrationCount, registrationOf, type Newable } from '../registry/registration';

/** The manifest key a plugin package puts in its package.json: `"syncbus": { "modules": "dist/index.js" }`. */
export interface PluginManifest {
  readonly modules: string;
}

/** What one plugin package contributed. */
export interface LoadedPlugin {
  readonly packageName: string;
  readonly version: string;
  /** Every registered class (modules, connectors, ...) the package's entry registered or exports. */
  readonly classes: readonly Newable[];
}

/**
 * Imports a plugin package: an npm name found from `baseDir` (the host's folder), or a path to the package's folder
 * (`./models/cms`, `/opt/models/cms`), relative to `baseDir`. Errors name the package and the fix: not installed,
 * not a syncbus plugin, failed to import, or registered nothing.
 */
export function loadPlugin(packageName: string, baseDir: string): LoadedPlugin {
  let manifestPath: string;
  if (isPluginPath(packageName)) {
    manifestPath = join(resolve(baseDir, packageName), 'package.json');
    if (!existsSync(manifestPath)) {
      throw new PluginLoadError(
        packageName,
        `no package.json at ${manifestPath}. A path in "plugins" names a package's folder, relative to the ` +
          `config file's folder (${baseDir}); fix the path, or list the package by its npm name.`,
      );
    }
  } else {
    try {
      manifestPath = findManifest(packageName, [baseDir, process.cwd()]);
    } catch (error) {
      throw new PluginLoadError(
        packageName,
        `the package is not installed where the host runs (${baseDir}). Run \`npm install ${packageName}\` there, ` +
          'or remove it from "plugins" in the config.',
        { cause: error },
      );
    }
  }
  const pkg = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    name?: string;
    version?: string;
    syncbus?: Partial<PluginManifest>;
  };
  const entry = pkg.syncbus?.modules;
  if (typeof entry !== 'string' || entry.length === 0) {
    throw new PluginLoadError(
      packageName,
      'its package.json has no "syncbus": { "modules": "<entry file>" } manifest, so it is not a syncbus plugin. ' +
        'Add the manifest to the package, or remove it from "plugins".',
    );
  }
  const before = registrationCount();
  let exports: Record<string, unknown>;
  try {
    exports = require(join(dirname(manifestPath), entry));
  } catch (error) {
    throw new PluginLoadError(
      packageName,
      `importing its entry '${entry}' failed: ${(error as Error).message}. Is the package built (its entry file present)?`,
      { cause: error },
    );
  }
  const classes = new Set<Newable>(registeredSince(before));
  // A package imported earlier in this process registered then; its exports still carry the metadata.
  for (const value of Object.values(exports ?? {})) {
    if (registrationOf(value)) classes.add(value as Newable);
  }
  if (classes.size === 0) {
    throw new PluginLoadError(
      packageName,
      `its entry '${entry}' registers nothing. Decorate a class with @RegisterModule() (or @IntegrationConnector()) ` +
        'and export it from that file.',
    );
  }
  const name = isPluginPath(packageName) ? (pkg.name ?? packageName) : packageName;
  return { packageName: name, version: pkg.version ?? '0.0.0', classes: [...classes] };
}

/** Whether a `plugins` entry is a folder path rather than an npm name (which never starts with `.` or `/`). */
export function isPluginPath(entry: string): boolean {
  return entry.startsWith('./') || entry.startsWith('../') || entry === '.' || isAbsolute(entry);
}

/**
 * The package.json of `packageName` as Node would find it from `dirs`. A package whose `exports` map does not
 * expose `./package.json` cannot be resolved that way, so the `node_modules` folders are also searched directly.
 */
function findManifest(packageName: string, dirs: readonly string[]): string {
  try {
    return require.resolve(`${packageName}/package.json`, { paths: [...dirs] });
  } catch (error) {
    for (const start of dirs) {
      for (let dir = resolve(start); ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules', packageName, 'package.json');
        if (existsSync(candidate)) return candidate;
        if (dirname(dir) === dir) break;
      }
    }
    throw error;
  }
}
