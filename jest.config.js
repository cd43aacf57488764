// One Jest run over every package, plugin and the cross-package tests in test/.
// Sources are compiled per file by SWC (decorators and their metadata kept); `tsc -b` type-checks first.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/plugins', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/.*\\.d\\.ts$'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // The framework packages resolve to their TypeScript sources, so tests never run stale builds. Plugins are
  // loaded by package name through their manifest (built dist), exactly as a host loads them.
  moduleNameMapper: {
    '^@syncbus/(core|staging|integration|server|admin|cli)$': '<rootDir>/packages/$1/src/index.ts',
    '^@syncbus/(core|staging|integration|server)/internal$': '<rootDir>/packages/$1/src/internal.ts',
    '^@syncbus/integration/sdk(/testing)?$': '<rootDir>/packages/integration/src/sdk$1/index.ts',
  },
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
  maxWorkers: 2,
};
