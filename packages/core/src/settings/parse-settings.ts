// Validates a whole config at once: the kernel's keys and every module's section, all problems listed by path.
import { ConfigError, type ConfigProblem } from '../errors';
import type { SettingsSection } from '../kernel/register-module';
import { zodProblems } from '../util/zod-problems';
import { CoreSettingsSchema, ENV_OVERRIDES, type CoreSettings } from './core-settings';
import { withSecretEnvironment, type SecretMode } from './secret';

/** Parsed settings: the kernel's and each section's, keyed by section key. */
export interface ParsedSettings {
  readonly core: CoreSettings;
  readonly sections: ReadonlyMap<string, unknown>;
}

/** Applies `ENV_OVERRIDES` onto a copy of the raw config. */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const copy = structuredClone(raw);
  for (const [variable, path] of Object.entries(ENV_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    let node: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return copy;
}

/**
 * Validates `raw` against the core schema and every section. Throws one `ConfigError` naming every wrong field.
 */
export function parseSettings(
  raw: unknown,
  sections: readonly SettingsSection[],
  env: NodeJS.ProcessEnv = process.env,
  secrets: SecretMode = 'required',
): ParsedSettings {
  return withSecretEnvironment(env, () => parseWithEnvironment(raw, sections, env), secrets);
}

function parseWithEnvironment(
  raw: unknown,
  sections: readonly SettingsSection[],
  env: NodeJS.ProcessEnv,
): ParsedSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([{ path: '', message: 'the configuration must be a JSON object' }]);
  }
  const config = applyEnvOverrides(raw as Record<string, unknown>, env);
  const problems: ConfigProblem[] = [];
  const coreKeys = Object.keys(CoreSettingsSchema.shape);
  const sectionKeys = new Set(sections.map((s) => s.key));

  const coreRaw = Object.fromEntries(Object.entries(config).filter(([key]) => coreKeys.includes(key)));
  const core = CoreSettingsSchema.safeParse(coreRaw);
  if (!core.success) problems.push(...zodProblems(core.error));

  const parsed = new Map<string, unknown>();
  for (const section of sections) {
    const result = section.schema.safeParse(config[section.key] ?? {});
    if (result.success) parsed.set(section.key, result.data);
    else problems.push(...zodProblems(result.error, section.key));
  }

  for (const key of Object.keys(config)) {
    if (key === '$schema' || coreKeys.includes(key) || sectionKeys.has(key)) continue;
    const known = [...coreKeys, ...sectionKeys].sort().join(', ');
    problems.push({
      path: key,
      message: `unknown setting (known: ${known}); check its spelling or load the plugin that reads it`,
    });
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { core: core.data!, sections: parsed };
}
