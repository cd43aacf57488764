// Reads `syncbus.config.json` (or a .js or .ts file exporting the config) from disk, with clear errors.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { loadTypeScriptConfig } from './typescript-config';

/**
 * Reads a config file: JSON, a CommonJS module whose export (or default export) is the config object, or a
 * TypeScript module (`.ts`/`.cts`) compiled with the project's own `typescript`.
 */
export function readConfigFile(file: string): Record<string, unknown> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new ConfigError(
      [{ path: '', message: `config file ${path} does not exist; create it or pass --config` }],
      path,
    );
  }
  let value: unknown;
  if (/\.(c?js)$/.test(path)) {
    const loaded = require(path);
    value = loaded?.default ?? loaded;
  } else if (/\.c?ts$/.test(path)) {
    value = loadTypeScriptConfig(path);
  } else {
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ConfigError([{ path: '', message: `not valid JSON: ${(error as Error).message}` }], path);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([{ path: '', message: 'the configuration must be a JSON object' }], path);
  }
  return value as Record<string, unknown>;
}
