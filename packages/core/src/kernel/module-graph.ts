// Orders modules so each starts after what it depends on; pulls in dependencies nobody listed explicitly.
import { ModuleGraphError } from '../errors';
import { moduleOptionsOf, type ModuleClass } from './register-module';

/**
 * Returns `roots` plus their transitive `dependsOn`, dependencies first, otherwise in the order given.
 * Throws on a cycle (naming it) or on a dependency that is not a registered module.
 */
export function orderModules(roots: readonly ModuleClass[]): ModuleClass[] {
  const ordered: ModuleClass[] = [];
  const state = new Map<ModuleClass, 'visiting' | 'done'>();
  const visit = (module: ModuleClass, path: ModuleClass[]) => {
    if (typeof module !== 'function') {
      const from = path.length ? path[path.length - 1].name : 'the modules given to the kernel';
      throw new ModuleGraphError(
        `${from} lists ${String(module)} in dependsOn. That is usually a circular import between module files: ` +
          'move the shared piece into a third file, or import the dependency directly.',
      );
    }
    const options = moduleOptionsOf(module);
    if (!options) {
      const from = path.length ? ` (a dependency of ${path[path.length - 1].name})` : '';
      throw new ModuleGraphError(
        `${module?.name ?? String(module)}${from} is not decorated with @RegisterModule().`,
      );
    }
    const seen = state.get(module);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(module)), module].map((m) => m.name).join(' -> ');
      throw new ModuleGraphError(`Modules depend on each other in a cycle: ${cycle}. Remove one dependsOn.`);
    }
    state.set(module, 'visiting');
    for (const dependency of options.dependsOn ?? []) visit(dependency, [...path, module]);
    state.set(module, 'done');
    ordered.push(module);
  };
  for (const root of roots) visit(root, []);
  return ordered;
}
