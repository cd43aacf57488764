// Loads a `syncbus.config.ts` with the TypeScript compiler the host project already has: no loader dependency.
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors';

/** The subset of the `typescript` package this needs. */
interface TypeScriptCompiler {
  transpileModule(
    input: string,
    options: { compilerOptions: Record<string, unknown>; fileName: string; reportDiagnostics: boolean },
  ): { outputText: string; diagnostics?: { messageText: unknown; start?: number }[] };
  ModuleKind: { CommonJS: number };
  ScriptTarget: { ES2022: number };
}

/**
 * Transpiles the config file to CommonJS (types are erased, not checked: `tsc` is the place for that) and runs it
 * as a module in its own folder, so its imports resolve like the host's. `typescript` is looked up from the config's
 * folder first, then from syncbus's own installation.
 */
export function loadTypeScriptConfig(path: string): unknown {
  const compiler = findCompiler(path);
  const source = readFileSync(path, 'utf8');
  const output = compiler.transpileModule(source, {
    fileName: path,
    reportDiagnostics: true,
    compilerOptions: {
      module: compiler.ModuleKind.CommonJS,
      target: compiler.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
    },
  });
  const [problem] = output.diagnostics ?? [];
  if (problem) {
    const text = typeof problem.messageText === 'string' ? problem.messageText : 'syntax error';
    throw new ConfigError([{ path: '', message: `not valid TypeScript: ${text}` }], path);
  }
  const loaded = new Module(path, module);
  loaded.filename = path;
  loaded.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    dirname(path),
  );
  try {
    (loaded as unknown as { _compile(code: string, file: string): void })._compile(output.outputText, path);
  } catch (error) {
    throw new ConfigError(
      [{ path: '', message: `the config threw while loading: ${(error as Error).message}` }],
      path,
    );
  }
  const exported = loaded.exports as { default?: unknown };
  return exported?.default ?? exported;
}

function findCompiler(path: string): TypeScriptCompiler {
  for (const paths of [[dirname(path)], undefined]) {
    try {
      return require(require.resolve('typescript', paths ? { paths } : undefined)) as TypeScriptCompiler;
    } catch {
      // Not installed there: try the next place.
    }
  }
  throw new ConfigError(
    [
      {
        path: '',
        message:
          "a .ts config needs the 'typescript' package in the project (npm install --save-dev typescript); or write syncbus.config.json or .js",
      },
    ],
    path,
  );
}
