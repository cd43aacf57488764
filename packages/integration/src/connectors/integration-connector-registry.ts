// Loads the connectors the node's plugins registered: config validated, init() run, rows kept in integration_connector.
import {
  ConfigError,
  CoreSettings,
  type ConfigProblem,
  inject,
  injectable,
  Logger,
  Registrations,
  Secret,
  SecretResolver,
  Storage,
  type Newable,
  type AlsoInTransaction,
  zodProblems,
} from '@syncbus/core';
import { sqlExecutorFor } from '@syncbus/core/internal';
import { ConnectorConfigError, ConnectorNotFoundError } from '../integration-errors';
import { ConnectorsSettings } from '../integration-settings';
import type { IntegrationProcessResult } from '../processing/integration-process-result';
import { IntegrationConnectorEntity } from '../storage/integration-connector.entity';
import type { IntegrationTask } from '../tasks/integration-task';
import { BaseIntegrationConnector } from './base-integration-connector';
import { attachConnectorRuntime } from './connector-runtime';
import { CONNECTOR_KIND, connectorOptionsOf } from './integration-connector.decorator';
import type { ConnectorProblem, LoadedConnector } from './loaded-connector';

/** Processes one outgoing task of a connector now; the processor provides it. */
export type ProcessTaskNow = (
  connector: LoadedConnector,
  task: IntegrationTask,
) => Promise<IntegrationProcessResult | undefined>;

/**
 * The connectors of this node. A connector whose config does not validate or whose `init()` throws is still
 * loaded, with its problem recorded: its queued tasks wait (and say why) while every other connector works.
 */
@injectable()
export class IntegrationConnectorRegistry {
  private readonly byName = new Map<string, LoadedConnector>();

  constructor(
    @inject(Registrations) private readonly registrations: Registrations,
    @inject(ConnectorsSettings) private readonly entries: ConnectorsSettings,
    @inject(Storage) private readonly storage: Storage,
    @inject(Logger) private readonly logger: Logger,
    @inject(SecretResolver) private readonly secrets: SecretResolver,
    @inject(CoreSettings) private readonly core: CoreSettings,
  ) {}

  /** Builds every registered connector and records its row (the kernel checked that each entry names one). */
  async load(processTaskNow: ProcessTaskNow): Promise<void> {
    for (const type of this.registrations.classes(CONNECTOR_KIND)) await this.loadOne(type, processTaskNow);
  }

  private async loadOne(type: Newable, processTaskNow: ProcessTaskNow): Promise<void> {
    const options = connectorOptionsOf(type)!;
    if (this.byName.has(options.name)) {
      throw new ConfigError([
        {
          path: 'plugins',
          message: `two loaded classes register a connector named '${options.name}'; load only one`,
        },
      ]);
    }
    const entry = this.entries.find((e) => e.name === options.name);
    const instance = this.registrations.instance(type);
    if (!(instance instanceof BaseIntegrationConnector)) {
      throw new ConfigError([
        {
          path: 'plugins',
          message: `${type.name} is decorated with @IntegrationConnector but does not extend BaseIntegrationConnector`,
        },
      ]);
    }
    let config: unknown = entry?.config ?? {};
    let problem: LoadedConnector['problem'];
    if (!entry) {
      // Off until the config lists it; its config is validated then.
      config = undefined;
      problem = {
        kind: 'config',
        message: `Connector '${options.name}' is not listed in "connectors"; add { "name": "${options.name}", "config": {...} } to use it.`,
      };
    } else if (options.configSchema) {
      const schema = options.configSchema;
      const parsed = this.secrets.parse(() => schema.safeParse(config));
      if (parsed.success) config = parsed.data;
      else {
        config = undefined;
        const error = new ConnectorConfigError(
          options.name,
          zodProblems(parsed.error, `connectors.${this.entries.indexOf(entry)}.config`),
        );
        problem = { kind: 'config', message: error.message };
      }
    }
    const displayName = entry?.displayName ?? options.displayName ?? options.name;
    const packageName = this.registrations.packageOf(type);
    const { id, enabled, paused } = await this.saveRow({
      name: options.name,
      displayName,
      packageName,
      version: options.version,
      enabled: entry?.enabled,
      // Validated values only, secrets as their references: a refused config may hold a secret typed in plain.
      config: problem ? {} : storedConfig(config),
    });
    const loaded: LoadedConnector = {
      id,
      name: options.name,
      displayName,
      packageName,
      instance,
      listed: entry !== undefined,
      // A connector not listed in "connectors" is known (it has a row) but stays off until the config lists it.
      enabled: entry !== undefined && enabled,
      paused,
      problem,
      incomingToken: entry?.incomingToken,
    };
    attachConnectorRuntime(instance, {
      name: options.name,
      displayName,
      version: options.version,
      config,
      nodeName: this.core.nodeName,
      processTask: (task) => processTaskNow(loaded, task),
    });
    // init() runs even with a bad config (given undefined), so subscriptions still log tasks and nothing is dropped
    // meanwhile.
    try {
      await instance.init(config);
    } catch (error) {
      loaded.problem ??= {
        kind: 'init',
        message: `init() failed: ${(error as Error)?.message ?? String(error)}`,
      };
    }
    loaded.problem ??= renamedHandlerProblem(instance);
    if (loaded.problem) {
      this.logger.error(
        { connector: options.name, problem: loaded.problem.message },
        `connector '${options.name}' cannot process tasks; its tasks wait until this is fixed`,
      );
    }
    this.byName.set(options.name, loaded);
  }

  /**
   * Writes the connector's row. `enabled` is the operator's switch (`syncbus connectors enable|disable`): written
   * when the row is created (default on) or when the config entry sets it, kept otherwise. Returns the row's state.
   */
  private async saveRow(row: {
    name: string;
    displayName: string;
    packageName?: string;
    version?: string;
    enabled?: boolean;
    config: Record<string, unknown>;
  }): Promise<{ id: number; enabled: boolean; paused: boolean }> {
    return this.storage.transaction(async (manager) => {
      const repository = manager.getRepository(IntegrationConnectorEntity);
      const existing = await repository.findOne({ where: { name: row.name } });
      const values = {
        name: row.name,
        displayName: row.displayName,
        packageName: row.packageName ?? null,
        version: row.version ?? null,
        config: JSON.stringify(row.config),
        updatedAt: Date.now(),
      };
      if (existing) {
        const enabled = row.enabled ?? Boolean(existing.enabled);
        await repository.update({ id: existing.id }, { ...values, enabled });
        return { id: existing.id, enabled, paused: Boolean(existing.paused) };
      }
      const enabled = row.enabled ?? true;
      const result = await repository.insert({ ...values, enabled, paused: false });
      return { id: Number(result.identifiers[0].id), enabled, paused: false };
    });
  }

  /** Every loaded connector, in load order. */
  all(): LoadedConnector[] {
    return [...this.byName.values()];
  }

  /** The connector named `name`, or undefined. */
  find(name: string): LoadedConnector | undefined {
    return this.byName.get(name);
  }

  /** The connector named `name`; throws `ConnectorNotFoundError` naming the loaded ones. */
  get(name: string): LoadedConnector {
    const connector = this.byName.get(name);
    if (!connector) throw this.notFound(name);
    return connector;
  }

  /** The error for a connector this node does not load, naming the ones it does (for callers that answer it). */
  notFound(name: string): ConnectorNotFoundError {
    return new ConnectorNotFoundError(name, [...this.byName.keys()]);
  }

  /**
   * Turns a connector on or off, here and in its row. Its queued tasks wait while it is off. `alsoInTransaction`
   * (an audit row) commits with the change.
   */
  async setEnabled(name: string, enabled: boolean, alsoInTransaction?: AlsoInTransaction): Promise<void> {
    const connector = this.get(name);
    await this.storage.transaction(async (manager) => {
      await manager
        .getRepository(IntegrationConnectorEntity)
        .update({ id: connector.id }, { enabled, updatedAt: Date.now() });
      await alsoInTransaction?.(sqlExecutorFor(this.storage, manager), 1);
    });
    connector.enabled = connector.listed && enabled;
  }

  /**
   * Pauses or resumes a connector, here and in its row: while paused its tasks are logged and none is processed.
   * `alsoInTransaction` (an audit row) commits with the change.
   */
  async setPaused(name: string, paused: boolean, alsoInTransaction?: AlsoInTransaction): Promise<void> {
    const connector = this.get(name);
    await this.storage.transaction(async (manager) => {
      await manager
        .getRepository(IntegrationConnectorEntity)
        .update({ id: connector.id }, { paused, updatedAt: Date.now() });
      await alsoInTransaction?.(sqlExecutorFor(this.storage, manager), 1);
    });
    connector.paused = paused;
  }

  /**
   * Writes the connector's problem (the drain paused it, or a check passed again and cleared it) and its next probe
   * to its row, so commands in other processes see what holds it.
   */
  async recordProblem(connector: LoadedConnector, until: number | null): Promise<void> {
    await this.storage.dataSource.getRepository(IntegrationConnectorEntity).update(
      { id: connector.id },
      {
        problem: connector.problem?.message.slice(0, 1000) ?? null,
        problemUntil: connector.problem ? until : null,
      },
    );
  }

  /**
   * Re-reads `enabled` and `paused` from the rows (the CLI or another node may have switched a connector); only
   * `connector`'s row when given. Drains call it every pass, so a running node follows `syncbus connectors disable`
   * or `pause` at once.
   */
  async refreshEnabled(connector?: LoadedConnector): Promise<void> {
    const rows = await this.storage.dataSource.getRepository(IntegrationConnectorEntity).find({
      select: { id: true, enabled: true, paused: true, name: true },
      where: connector ? { id: connector.id } : {},
    });
    for (const row of rows) {
      const loaded = this.byName.get(row.name);
      if (!loaded) continue;
      loaded.enabled = loaded.listed && Boolean(row.enabled);
      loaded.paused = Boolean(row.paused);
    }
  }
}

/** A parsed connector config as its row keeps it: every core `Secret` replaced by its reference ("env:NAME"). */
function storedConfig(value: unknown): Record<string, unknown> {
  const stored = withSecretsAsReferences(value);
  return stored && typeof stored === 'object' && !Array.isArray(stored)
    ? (stored as Record<string, unknown>)
    : {};
}

function withSecretsAsReferences(value: unknown): unknown {
  // Duck-typed: a plugin's schema may build its Secrets from its own copy of @syncbus/core.
  if (value instanceof Secret || isSecretLike(value)) return (value as Secret).source;
  if (Array.isArray(value)) return value.map(withSecretsAsReferences);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecretsAsReferences(v)]));
  }
  return value;
}

function isSecretLike(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Secret).reveal === 'function' &&
    typeof (value as Secret).source === 'string'
  );
}

/**
 * The `connectors` entries that name no loaded connector, as config problems: the section's check, run wherever
 * the config is validated (`syncbus config check` and every start).
 */
export function unknownConnectors(entries: ConnectorsSettings, classes: readonly Newable[]): ConfigProblem[] {
  const names = classes.filter((c) => connectorOptionsOf(c)).map((c) => connectorOptionsOf(c)!.name);
  return entries.flatMap((entry, index) =>
    names.includes(entry.name)
      ? []
      : [
          {
            path: `connectors.${index}.name`,
            message: `no loaded plugin registers a connector '${entry.name}' (loaded: ${names.join(', ') || 'none'}); add its package to "plugins"`,
          },
        ],
  );
}

/** The handlers' former names: a connector written against them would otherwise fall back to the default. */
const RENAMED_HANDLERS: Readonly<Record<string, string>> = {
  processInternalTaskAsync: 'processQueuedTask',
  processInternalTaskSync: 'processTaskInChange',
};

/**
 * A connector that still defines a handler under its former name would have its tasks answered by the base
 * class's default; it is held instead (its tasks wait), with a problem that says what to rename.
 */
function renamedHandlerProblem(instance: object): ConnectorProblem | undefined {
  const stale = Object.keys(RENAMED_HANDLERS).filter(
    (name) => typeof (instance as Record<string, unknown>)[name] === 'function',
  );
  if (stale.length === 0) return undefined;
  const renames = stale.map((name) => `${name} to ${RENAMED_HANDLERS[name]}`).join(' and ');
  return { kind: 'init', message: `it defines handlers under their former names; rename ${renames}` };
}
