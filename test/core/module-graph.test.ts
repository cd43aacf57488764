// The kernel orders modules by `dependsOn` and refuses graphs it cannot start: cycles, non-modules, holes.
import { Kernel, Module, ModuleGraphError, RegisterModule, type ModuleClass } from '@syncbus/core';
import { captureLogger } from '../support/captured-logger';
import { tempSqliteUrl } from '../support/temp-sqlite';

const started: string[] = [];

abstract class Recording extends Module {
  override onStart() {
    started.push(this.name);
  }
}

// A cycle through decorators needs a late edge: `dependsOn` lists are read when the kernel boots.
const cycleAStart: ModuleClass[] = [];

@RegisterModule({ dependsOn: cycleAStart })
class CycleA extends Recording {
  constructor() {
    super('CycleA');
  }
}
@RegisterModule({ dependsOn: [CycleA] })
class CycleB extends Recording {
  constructor() {
    super('CycleB');
  }
}
@RegisterModule({ dependsOn: [CycleB] })
class CycleC extends Recording {
  constructor() {
    super('CycleC');
  }
}
cycleAStart.push(CycleC);

@RegisterModule()
class Base extends Recording {
  constructor() {
    super('Base');
  }
}
@RegisterModule({ dependsOn: [Base] })
class Left extends Recording {
  constructor() {
    super('Left');
  }
}
@RegisterModule({ dependsOn: [Base] })
class Right extends Recording {
  constructor() {
    super('Right');
  }
}
@RegisterModule({ dependsOn: [Left, Right] })
class Top extends Recording {
  constructor() {
    super('Top');
  }
}

class NotAModule extends Module {
  constructor() {
    super('NotAModule');
  }
}
@RegisterModule({ dependsOn: [NotAModule] })
class NeedsPlainClass extends Recording {
  constructor() {
    super('NeedsPlainClass');
  }
}

// What a circular import between two module files leaves in `dependsOn`.
@RegisterModule({ dependsOn: [undefined as unknown as ModuleClass] })
class NeedsHalfImported extends Recording {
  constructor() {
    super('NeedsHalfImported');
  }
}

const boot = (modules: ModuleClass[]) =>
  Kernel.boot({
    config: { database: { url: tempSqliteUrl('graph') } },
    modules,
    logger: captureLogger('warn').logger,
  });

describe('module graph', () => {
  beforeEach(() => started.splice(0));

  it('starts dependencies first, each once, pulling in those nobody listed (a diamond)', async () => {
    const kernel = await boot([Top]);
    expect(kernel.modules.map((m) => m.name)).toEqual(['Base', 'Left', 'Right', 'Top']);
    expect(started).toEqual(['Base', 'Left', 'Right', 'Top']);
    await kernel.stop();
  });

  it('refuses a dependency cycle with a ModuleGraphError naming the cycle, before anything starts', async () => {
    const error = await boot([CycleB]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleGraphError);
    expect(error).toMatchObject({ code: 'MODULE_GRAPH_INVALID' });
    expect((error as Error).message).toContain('CycleB -> CycleA -> CycleC -> CycleB');
    expect(started).toEqual([]);
  });

  it('refuses a dependency that is not a registered module, naming both classes', async () => {
    const error = await boot([NeedsPlainClass]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleGraphError);
    expect((error as Error).message).toMatch(
      /NotAModule \(a dependency of NeedsPlainClass\) is not decorated/,
    );
  });

  it('explains an undefined dependency as the circular import it usually is', async () => {
    const error = await boot([NeedsHalfImported]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleGraphError);
    expect((error as Error).message).toMatch(
      /NeedsHalfImported lists undefined in dependsOn.*circular import/,
    );
  });
});
