// The kernel: the one place that talks to the inversify container. Boots a node, runs lifecycles, stops it.
import 'reflect-metadata';
import { Container } from 'inversify';
import { DataSource } from 'typeorm';
import { ConfigError, SyncbusError, type ConfigProblem } from '../errors';
import { EventErrorReporter } from '../events/event-error-reporter';
import { routeRxjsErrors } from '../events/rxjs-error-route';
import { createLogger, Logger } from '../logging/logger';
import { registrationOf, type Newable } from '../registry/registration';
import { CoreSettings } from '../settings/core-settings';
import { parseSettings, type ParsedSettings } from '../settings/parse-settings';
import { SecretResolver } from '../settings/secret-resolver';
import { roleDelivers } from '../settings/process-role';
import type { SecretMode } from '../settings/secret';
import { createDataSource } from '../storage/create-data-source';
import { parseDatabaseUrl } from '../storage/database-url';
import { openStorage } from '../storage/open-storage';
import { Storage } from '../storage/storage';
import { QueueWakeups } from '../queue/queue-wakeups';
import { Lifecycle, type LifecycleParticipant } from './lifecycle';
import { hasLifecycleHook } from './lifecycle-hooks';
import type { Module } from './module';
import { orderModules } from './module-graph';
import { loadPlugin, type LoadedPlugin } from './plugin-loader';
import { ObjectApplier } from '../objects/object-applier';
import {
  refuseUnmigrated,
  runMigrationsExclusively,
  synchronizeUnmigratedEntities,
} from '../storage/migrations';
import { ObjectChangeListener } from '../objects/object-change-listener';
import { ObjectChanges } from '../objects/object-changes';
import { ObjectSerializer } from '../objects/object-serializer';
import { ObjectTypes } from '../objects/object-types';
import type { Provider, ServiceIdentifier, ServiceResolver } from './provider';
import { SyncEventFactory } from '../events/sync-event-factory';
import { nodeRegistry, runInNode } from './node-scope';
import { MODULE_KIND, moduleOptionsOf, type ModuleClass } from './register-module';
import { Registrations } from './registrations';

/** How to boot a node. */
export interface KernelOptions {
  /** The raw configuration (what `syncbus.config.json` holds); validated at boot. */
  readonly config?: Record<string, unknown>;
  /** Folder relative paths in the config resolve against, and plugins are found from. Default: cwd. */
  readonly baseDir?: string;
  /** Registered classes from code (modules, connectors), added to those the config's plugins bring. */
  readonly modules?: readonly Newable[];
  /** The host's own TypeORM entities and migrations, stored in the same database (the outbox needs that). */
  readonly entities?: readonly Function[];
  readonly migrations?: readonly Function[];
  /** A logger to use instead of the default stdout one. */
  readonly logger?: Logger;
  /** Environment for overrides and secret references. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Stop cleanly on SIGINT and SIGTERM, and keep the process alive until stopped (otherwise a node whose modules
   * hold no open handle would exit without running any `onStop`). Default: false (a CLI turns it on).
   */
  readonly handleSignals?: boolean;
  /**
   * Run `onStart` (background work: drains, servers). Default true. Administrative tools (the CLI's `tasks`,
   * `servers`, `migrate` commands) pass false to get a node's services without its background work.
   */
  readonly start?: boolean;
  /**
   * `required` (default): every secret reference in the config must resolve, or boot fails naming it. `when-used`
   * (administrative commands): an unset one becomes a `MissingSecret` that fails only where it is read.
   */
  readonly secrets?: SecretMode;
  /**
   * Run pending migrations (default true). Administrative tools pass false: they never change a schema, and a
   * database whose migrations have not all run is refused with `SCHEMA_NOT_MIGRATED` ("run syncbus migrate").
   */
  readonly migrate?: boolean;
}

/** The kernel's own token, for services that need to know the node (e.g. its loaded plugins). */
export const KernelToken = Symbol('Kernel');

/** A booted syncbus node. */
export class Kernel {
  private stopping?: Promise<void>;
  private keepAlive?: NodeJS.Timeout;
  private readonly signalHandler = () =>
    void this.stop().then(
      () => process.exit(0),
      (error) => {
        this.logger.error({ err: error }, 'syncbus node failed to stop cleanly');
        process.exit(1);
      },
    );

  private constructor(
    private readonly resolver: ServiceResolver,
    private readonly container: Container,
    readonly settings: ParsedSettings,
    readonly logger: Logger,
    readonly plugins: readonly LoadedPlugin[],
    readonly modules: readonly Module[],
    private readonly lifecycle: Lifecycle,
    readonly dataSource: DataSource,
    private readonly storage: Storage,
    private readonly handleSignals: boolean,
    private readonly unrouteRxjsErrors: () => void,
  ) {}

  /**
   * Loads the config's plugins and validates the whole config (every module's section) without opening storage
   * or building anything: `syncbus config check`. Throws what `boot` would throw for the same input.
   */
  static check(options: KernelOptions = {}): {
    settings: ParsedSettings;
    plugins: LoadedPlugin[];
    modules: string[];
  } {
    const { settings, plugins, moduleClasses } = Kernel.prepare(options);
    return { settings, plugins, modules: moduleClasses.map((m) => m.name) };
  }

  private static prepare(options: KernelOptions) {
    const raw = options.config ?? {};
    const env = options.env ?? process.env;
    const baseDir = options.baseDir ?? process.cwd();
    const pluginNames = Array.isArray(raw.plugins)
      ? raw.plugins.filter((p): p is string => typeof p === 'string')
      : [];
    const plugins = pluginNames.map((name) => loadPlugin(name, baseDir));
    const classes = [...new Set([...(options.modules ?? []), ...plugins.flatMap((p) => p.classes)])];
    const moduleClasses = orderModules(
      classes.filter((c) => registrationOf(c)?.kind === MODULE_KIND) as ModuleClass[],
    );
    const moduleOptions = moduleClasses.map((m) => moduleOptionsOf(m)!);
    const sections = moduleOptions.flatMap((o) => o.settings ?? []);
    const settings = parseSettings(raw, sections, env, options.secrets);
    // What the schemas cannot see: the database URL's form, and sections that name loaded classes.
    const problems: ConfigProblem[] = [];
    try {
      parseDatabaseUrl(settings.core.database.url, baseDir);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
    for (const section of sections)
      problems.push(...(section.check?.(settings.sections.get(section.key), classes) ?? []));
    if (problems.length > 0) throw new ConfigError(problems);
    return { raw, env, baseDir, plugins, classes, moduleClasses, moduleOptions, settings };
  }

  /**
   * Loads plugins, validates the config, opens storage and runs migrations, builds every module and runs
   * `onInit` then `onStart` in dependency order, providers' hooks before modules'. If any step fails, whatever
   * ran its `onInit` is stopped again (`onStop`, in reverse) and storage is closed.
   */
  static async boot(options: KernelOptions = {}): Promise<Kernel> {
    const { env, baseDir, plugins, classes, moduleClasses, moduleOptions, settings } =
      Kernel.prepare(options);
    // Created after validation, so a bad `log.level` is reported as a config problem like any other.
    const logger = options.logger ?? createLogger({ level: settings.core.log.level });

    const container = new Container({ defaultScope: 'Singleton' });
    const reportError = (error: unknown, eventName: string) =>
      logger.error(
        { err: error, event: eventName },
        `a subscriber of '${eventName}' failed; other subscribers went on`,
      );
    container.bind(Logger).toConstantValue(logger);
    container.bind(CoreSettings).toConstantValue(settings.core);
    container.bind(SecretResolver).toConstantValue(new SecretResolver(env));
    container.bind(EventErrorReporter).toConstantValue(reportError);
    const resolver: ServiceResolver = { get: (id) => container.get(id as never) };
    const inNode = <T>(fn: () => T): T => runInNode(resolver, fn);
    container.bind(SyncEventFactory).toConstantValue(new SyncEventFactory(reportError, inNode));
    for (const section of moduleOptions.flatMap((o) => o.settings ?? [])) {
      if (!container.isBound(section.token))
        container.bind(section.token).toConstantValue(settings.sections.get(section.key));
    }

    const target = parseDatabaseUrl(settings.core.database.url, baseDir);
    const dataSource = createDataSource(target, {
      entities: [...moduleOptions.flatMap((o) => o.entities ?? []), ...(options.entities ?? [])],
      migrations: [...moduleOptions.flatMap((o) => o.migrations ?? []), ...(options.migrations ?? [])],
      busyTimeoutMs: settings.core.database.busyTimeoutMs,
      poolSize: settings.core.database.poolSize,
    });
    try {
      await dataSource.initialize();
    } catch (error) {
      throw new SyncbusError(
        'DATABASE_UNREACHABLE',
        `Could not open the database (${target.kind}): ${(error as Error).message}. Check database.url.`,
        { cause: error },
      );
    }
    const { checkpointIntervalMs, busyTimeoutMs } = settings.core.database;
    const storage = openStorage(dataSource, target, {
      checkpointIntervalMs,
      busyTimeoutMs,
      logger,
      role: settings.core.role,
    });
    const modules: Module[] = [];
    // Every provider instance with a lifecycle hook, in the order it was built: a singleton is built after what
    // it injects, so this is dependency order. Frozen once the node's providers are built.
    const hooked: { instance: unknown; name: string; moduleIndex: number }[] = [];
    let hookedFrozen = false;
    const found = (instance: unknown, name: string, moduleIndex: number) => {
      if (hookedFrozen || !hasLifecycleHook(instance) || hooked.some((h) => h.instance === instance)) return;
      hooked.push({ instance, name, moduleIndex });
    };
    let lifecycle = new Lifecycle([], inNode);
    // Errors from piped after-event chains surface here instead of as an uncaught exception.
    const unrouteRxjsErrors = routeRxjsErrors(reportError);
    try {
      const migrate = options.migrate ?? true;
      if (migrate) await runMigrationsExclusively(storage);
      else await refuseUnmigrated(storage);
      // A node that must not change the schema does not synchronize the host's entities either.
      if (migrate && settings.core.database.synchronize) {
        const migrated = moduleOptions
          .filter((o) => (o.migrations ?? []).length > 0)
          .flatMap((o) => o.entities ?? []);
        await synchronizeUnmigratedEntities(storage, new Set(migrated));
      }
      container.bind(DataSource).toConstantValue(dataSource);
      container.bind(Storage).toConstantValue(storage);
      container.bind(QueueWakeups).toConstantValue(storage.wakeups ?? new QueueWakeups(undefined, logger));
      const objectTypes = new ObjectTypes(dataSource);
      const serializer = new ObjectSerializer();
      container.bind(ObjectTypes).toConstantValue(objectTypes);
      container.bind(ObjectSerializer).toConstantValue(serializer);
      container.bind(ObjectApplier).toConstantValue(new ObjectApplier(objectTypes, serializer));
      container
        .bind(ObjectChanges)
        .toDynamicValue(
          (context) =>
            new ObjectChanges(
              objectTypes,
              serializer,
              container.isBound(ObjectChangeListener)
                ? context.getAll<ObjectChangeListener>(ObjectChangeListener)
                : [],
              storage,
            ),
        );

      moduleOptions.forEach((moduleOption, index) => {
        for (const provider of moduleOption.providers ?? [])
          bindProvider(container, provider, (instance, name) => found(instance, name, index));
      });
      const registrations: Registrations = {
        classes: (kind) => classes.filter((c) => registrationOf(c)?.kind === kind),
        packageOf: (type) => plugins.find((p) => p.classes.includes(type))?.packageName,
        instance: <T>(type: Newable<T>) => {
          if (!container.isBound(type)) container.bind(type).toSelf();
          return container.get<T>(type);
        },
      };
      container.bind(Registrations).toConstantValue(registrations);
      for (const moduleClass of moduleClasses) container.bind(moduleClass).toSelf();

      // Each module's providers that have hooks (and its factories, whose value is known only once built) are
      // built with their module, so providers that no dependency orders come in their modules' order.
      moduleClasses.forEach((moduleClass, index) => {
        for (const token of new Set((moduleOptions[index].providers ?? []).flatMap(hookCandidate)))
          container.getAll(token as never);
        modules.push(container.get<Module>(moduleClass));
      });
      hookedFrozen = true;
      container.get(ObjectChanges).install(dataSource);
      nodeRegistry.add(resolver);
      const participants: LifecycleParticipant[] = [
        ...hooked.map(({ instance, name, moduleIndex }): LifecycleParticipant => ({
          kind: 'provider',
          name,
          module: modules[moduleIndex].name,
          instance: instance as LifecycleParticipant['instance'],
        })),
        ...modules.map((m): LifecycleParticipant => ({ kind: 'module', name: m.name, instance: m })),
      ];
      lifecycle = new Lifecycle(participants, inNode);
      await lifecycle.init();
      if (options.start !== false) {
        const problems = await checkModules(modules, inNode);
        if (problems.length > 0) throw new ConfigError(problems);
        await lifecycle.start();
      }
      // A started process shows in `syncbus workers list` (PostgreSQL) while it lives.
      if (options.start !== false) storage.wakeups?.announce();
      if (options.start !== false && storage.kind === 'sqlite' && !roleDelivers(settings.core.role))
        logger.warn(
          { role: settings.core.role },
          'this process delivers nothing (its role) and SQLite has no wake-ups across processes: tasks wait for another process on the same file, or for a person',
        );
    } catch (error) {
      nodeRegistry.delete(resolver);
      unrouteRxjsErrors();
      await lifecycle.stop(() => undefined);
      await storage.close().catch(() => undefined);
      throw error;
    }

    const kernel = new Kernel(
      resolver,
      container,
      settings,
      logger,
      plugins,
      modules,
      lifecycle,
      dataSource,
      storage,
      options.handleSignals ?? false,
      unrouteRxjsErrors,
    );
    container.bind(KernelToken).toConstantValue(kernel);
    if (kernel.handleSignals) {
      process.once('SIGINT', kernel.signalHandler);
      process.once('SIGTERM', kernel.signalHandler);
      kernel.keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
    }
    logger.info(
      { modules: modules.map((m) => m.name), plugins: plugins.map((p) => `${p.packageName}@${p.version}`) },
      'syncbus node started',
    );
    return kernel;
  }

  /** A service from the container (for hosts and tests; services themselves use constructor injection). */
  get<T>(id: ServiceIdentifier<T>): T {
    return this.container.get<T>(id as never);
  }

  /**
   * What every module's `onCheck` finds wrong with the config against the stored state (`syncbus config check`
   * on a node opened with `start: false`; `boot` runs the same check before starting).
   */
  checkStoredState(): Promise<ConfigProblem[]> {
    return checkModules(this.modules, (fn) => runInNode(this.resolver, fn));
  }

  /** Runs every `onStop` (modules', then providers') in reverse order, then closes storage. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.handleSignals) {
        process.off('SIGINT', this.signalHandler);
        process.off('SIGTERM', this.signalHandler);
        clearInterval(this.keepAlive);
      }
      await this.lifecycle.stop((error, participant) =>
        this.logger.error(
          { err: error, [participant.kind]: participant.name },
          `a ${participant.kind} failed to stop cleanly`,
        ),
      );
      nodeRegistry.delete(this.resolver);
      this.unrouteRxjsErrors();
      await this.storage.close();
      this.logger.info('syncbus node stopped');
    })();
    return this.stopping;
  }
}

async function checkModules(
  modules: readonly Module[],
  inNode: <T>(fn: () => T) => T,
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const module of modules) problems.push(...(await inNode(() => module.onCheck())));
  return problems;
}

/**
 * The token to build at boot so its hooks are found: a class provider whose class declares one, or a factory
 * (its value can have hooks only the built value shows). Values are inspected as they are bound; aliases
 * (`useExisting`) are found through what they point to.
 */
function hookCandidate(provider: Provider): ServiceIdentifier[] {
  if (typeof provider === 'function') return hasLifecycleHook(provider.prototype) ? [provider] : [];
  if ('useClass' in provider) return hasLifecycleHook(provider.useClass.prototype) ? [provider.provide] : [];
  return 'useFactory' in provider ? [provider.provide] : [];
}

/** The name a provider's token shows in errors and logs. */
function tokenName(id: ServiceIdentifier): string {
  return typeof id === 'symbol' ? (id.description ?? String(id)) : typeof id === 'string' ? id : id.name;
}

function bindProvider(
  container: Container,
  provider: Provider,
  built: (instance: unknown, name: string) => void,
): void {
  const activated = (name: string) => (_context: unknown, instance: unknown) => {
    built(instance, name);
    return instance;
  };
  if (typeof provider === 'function') {
    container.bind(provider).toSelf().onActivation(activated(provider.name));
    return;
  }
  const id = provider.provide as never;
  const name = tokenName(provider.provide);
  if ('useClass' in provider)
    container
      .bind(id)
      .to(provider.useClass as never)
      .onActivation(activated(provider.useClass.name));
  else if ('useValue' in provider) {
    container.bind(id).toConstantValue(provider.useValue as never);
    built(provider.useValue, name);
  } else if ('useExisting' in provider) container.bind(id).toService(provider.useExisting as never);
  else
    container
      .bind(id)
      .toDynamicValue((context) => provider.useFactory({ get: (x) => context.get(x as never) }) as never)
      .onActivation(activated(name));
}
