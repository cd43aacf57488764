// The kernel finds lifecycle hooks (OnInit, OnStart, OnStop) on the providers modules register and runs them in
// dependency order, before the modules' own hooks, stopping in reverse; a failing hook stops what came up.
import {
  inject,
  injectable,
  Kernel,
  Module,
  RegisterModule,
  SyncbusError,
  type OnInit,
  type OnStart,
  type OnStop,
} from '@syncbus/core';
import { captureLogger } from '../support/captured-logger';
import { tempSqliteUrl } from '../support/temp-sqlite';

const journal: string[] = [];
/** `<name>.<hook>` that throws instead of recording. */
let failAt: string | undefined;
const record = (entry: string) => {
  if (entry === failAt) throw new Error(`${entry} broke`);
  journal.push(entry);
};

/** A provider implementing all three hooks, recording each under its name. */
abstract class Hooked implements OnInit, OnStart, OnStop {
  protected abstract readonly label: string;
  onInit() {
    record(`${this.label}.onInit`);
  }
  async onStart() {
    await new Promise((resolve) => setImmediate(resolve));
    record(`${this.label}.onStart`);
  }
  onStop() {
    record(`${this.label}.onStop`);
  }
}

@injectable()
class Clock extends Hooked {
  protected readonly label = 'Clock';
}

@injectable()
class Store extends Hooked {
  protected readonly label = 'Store';
  constructor(@inject(Clock) readonly clock: Clock) {
    super();
  }
}

/** In module B, depended on by a provider of module A: built (and hooked) before it. */
@injectable()
class Mailer extends Hooked {
  protected readonly label = 'Mailer';
  constructor(@inject(Store) readonly store: Store) {
    super();
  }
}

@injectable()
class Reporter extends Hooked {
  protected readonly label = 'Reporter';
  constructor(@inject(Mailer) readonly mailer: Mailer) {
    super();
  }
}

/** No hooks, and nothing asks for it: never built. */
@injectable()
class Idle {
  constructor() {
    journal.push('Idle built');
  }
}

const Sink = Symbol('Sink');
const Flag = Symbol('Flag');
const StoreAlias = Symbol('StoreAlias');

@RegisterModule({
  providers: [
    Reporter,
    Store,
    Clock,
    Idle,
    { provide: StoreAlias, useExisting: Store },
    {
      provide: Sink,
      useFactory: () => ({ onStart: () => record('Sink.onStart'), onStop: () => record('Sink.onStop') }),
    },
    { provide: Flag, useValue: { onInit: () => record('Flag.onInit') } },
  ],
})
class ModuleA extends Module {
  constructor() {
    super('A');
  }
  override onInit() {
    record('A.onInit');
  }
  override onStart() {
    record('A.onStart');
  }
  override onStop() {
    record('A.onStop');
  }
}

@RegisterModule({ dependsOn: [ModuleA], providers: [Mailer] })
class ModuleB extends Module {
  constructor(@inject(StoreAlias) readonly store: Store) {
    super('B');
  }
  override onInit() {
    record('B.onInit');
  }
  override onStart() {
    record('B.onStart');
  }
  override onStop() {
    record('B.onStop');
  }
}

const boot = (options: { start?: boolean } = {}) =>
  Kernel.boot({
    config: { database: { url: tempSqliteUrl('provider-hooks') } },
    modules: [ModuleB],
    logger: captureLogger('warn').logger,
    ...options,
  });

const hooks = (hook: string) => journal.filter((entry) => entry.endsWith(`.${hook}`));

describe('provider lifecycle hooks', () => {
  beforeEach(() => {
    journal.splice(0);
    failAt = undefined;
  });

  it('runs providers in dependency order before the modules, each once, and stops in reverse', async () => {
    const kernel = await boot();
    await kernel.stop();
    // The value is known at binding; Mailer (module B) comes before Reporter (module A), which injects it.
    const providers = ['Clock', 'Store', 'Mailer', 'Reporter'];
    expect(hooks('onInit')).toEqual([
      'Flag.onInit',
      ...providers.map((p) => `${p}.onInit`),
      'A.onInit',
      'B.onInit',
    ]);
    expect(hooks('onStart')).toEqual([
      ...providers.map((p) => `${p}.onStart`),
      'Sink.onStart',
      'A.onStart',
      'B.onStart',
    ]);
    expect(hooks('onStop')).toEqual([
      'B.onStop',
      'A.onStop',
      'Sink.onStop',
      ...[...providers].reverse().map((p) => `${p}.onStop`),
    ]);
    expect(journal).not.toContain('Idle built');
  });

  it('stops every provider and module that ran onInit on a node booted with start: false', async () => {
    const kernel = await boot({ start: false });
    await kernel.stop();
    expect(hooks('onStart')).toEqual([]);
    expect(hooks('onStop')).toEqual([
      'B.onStop',
      'A.onStop',
      'Sink.onStop',
      'Reporter.onStop',
      'Mailer.onStop',
      'Store.onStop',
      'Clock.onStop',
    ]);
  });

  it('stops, in reverse, what came up when a start hook fails, the failing provider too, and rejects naming it', async () => {
    failAt = 'Mailer.onStart';
    const error = await boot().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncbusError);
    expect(error).toMatchObject({ code: 'MODULE_HOOK_FAILED' });
    expect((error as Error).message).toBe(
      "Provider 'Mailer' of module 'B' failed in onStart: Mailer.onStart broke",
    );
    // Nothing after the failing hook starts; everything whose onInit ran is stopped, modules first.
    expect(hooks('onStart')).toEqual(['Clock.onStart', 'Store.onStart']);
    expect(hooks('onStop')).toEqual([
      'B.onStop',
      'A.onStop',
      'Sink.onStop',
      'Reporter.onStop',
      'Mailer.onStop',
      'Store.onStop',
      'Clock.onStop',
    ]);
  });

  it('stops only what ran onInit before an init hook failed', async () => {
    failAt = 'Mailer.onInit';
    const error = await boot().catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "Provider 'Mailer' of module 'B' failed in onInit: Mailer.onInit broke",
    );
    expect(journal).toEqual(['Flag.onInit', 'Clock.onInit', 'Store.onInit', 'Store.onStop', 'Clock.onStop']);
  });

  it('still runs every other stop hook when one fails, and logs the one that failed', async () => {
    failAt = 'Store.onStop';
    const captured = captureLogger('error');
    const kernel = await Kernel.boot({
      config: { database: { url: tempSqliteUrl('provider-hooks') } },
      modules: [ModuleB],
      logger: captured.logger,
    });
    await kernel.stop();
    expect(hooks('onStop')).toEqual([
      'B.onStop',
      'A.onStop',
      'Sink.onStop',
      'Reporter.onStop',
      'Mailer.onStop',
      'Clock.onStop',
    ]);
    expect(captured.lines).toContainEqual(
      expect.objectContaining({ provider: 'Store', msg: 'a provider failed to stop cleanly' }),
    );
  });
});
